"""MusicXML (``.musicxml``, ``.xml``, compressed ``.mxl``): a direct lxml reader (exact beat positions,
ties, tuplets, voices, repeats, transposition, percussion, dynamics) and a writer that quantizes a
DAW project into notation (measures, ties, voices, tuplets)."""

from dawkit.formats.musicxml.reader import musicxml_from_bytes, read_musicxml
from dawkit.formats.musicxml.writer import musicxml_to_bytes

__all__ = ["musicxml_from_bytes", "musicxml_to_bytes", "read_musicxml"]
