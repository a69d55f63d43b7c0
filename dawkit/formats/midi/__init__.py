"""Standard MIDI Files (SMF 0, 1, 2; .mid .midi .kar and RIFF .rmi): reader and writer.

Reading is done by an own tokenizer (:mod:`.tokenizer`) rather than mido: it tolerates what real
files contain (running status after sysex, alien chunks, data bytes above 127, stray realtime
bytes), keeps every event for an exact same-format round trip, and is faster than mido's load.
mido serves the tests as an independent oracle.
"""

from dawkit.formats.midi.reader import midi_from_bytes, midi_warnings, read_midi
from dawkit.formats.midi.writer import midi_to_bytes

__all__ = ["midi_from_bytes", "midi_to_bytes", "midi_warnings", "read_midi"]
