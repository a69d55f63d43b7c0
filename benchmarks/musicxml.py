"""Time dawkit's MusicXML reader against music21 and against a bare lxml parse.

    python -m benchmarks.musicxml [--repeat N] [--markdown] [--strict] [--work WORK ...]

Scores come from music21's corpus (``music21.corpus.getWork``; skipped with a message when
music21 or its corpus is absent): by default Beethoven's op. 59/1 mvt 3 (1.9 MB of XML, 3,642
notes) and op. 133 (4.9 MB).  Rows per score (ratio = dawkit / baseline):

* read: ``musicxml_from_bytes(data)`` (what ``read_musicxml`` does after reading the file) vs
  ``music21.converter.parse(path, forceSource=True)`` (no pickle cache); target: 3x faster,
  i.e. ratio <= 0.333 (issue 4, part 5);
* reference: the same read vs unzip + ``lxml.etree.fromstring`` of the score (informative: the
  cost of building the model on top of parsing).

Times are the best of ``--repeat`` runs (default 3; music21 runs at most 2 times, it is slow),
dawkit and baseline alternating, each with the cyclic garbage collector collected before it.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

from lxml import etree

from benchmarks import run as base
from benchmarks.run import Row
from dawkit.formats.musicxml.reader import musicxml_from_bytes

TARGET_RATIO = 1 / 3
DEFAULT_WORKS = ("beethoven/opus59no1/movement3.mxl", "beethoven/opus133.mxl")
READ = "MusicXML read (musicxml_from_bytes)"
M21_BASE = "music21.converter.parse (forceSource=True)"
LXML_BASE = "unzip + lxml fromstring"


def locate(work: str) -> Path | None:
    """The corpus path of ``work``, or None when music21 or the score is missing."""
    try:
        from music21 import corpus, exceptions21
    except ImportError:
        return None
    try:
        found = corpus.getWork(work)
    except exceptions21.CorpusException:
        return None
    if isinstance(found, list):
        found = found[0]
    return Path(found)


def _raw_parse(data: bytes) -> etree._Element:
    """The baseline parse: the score document out of the archive (if any), then lxml."""
    if data.startswith(b"PK"):
        with zipfile.ZipFile(BytesIO(data)) as archive:
            name = next(n for n in archive.namelist() if not n.startswith("META-INF") and n.endswith((".xml", ".musicxml")))
            data = archive.read(name)
    return etree.fromstring(data, etree.XMLParser(huge_tree=True))


def score_rows(path: Path, repeat: int, *, with_music21: bool = True) -> list[Row]:
    """The rows for one score."""
    import music21

    data = path.read_bytes()
    section = f"{path.parent.name}/{path.name}" if path.parent.name else path.name
    ours_fn = lambda: musicxml_from_bytes(data, source=str(path))
    rows: list[Row] = []
    if with_music21:
        ours, theirs = base.compare(ours_fn, lambda: music21.converter.parse(str(path), forceSource=True), min(repeat, 2))
        rows.append(Row(section, READ, ours, theirs, M21_BASE, target=TARGET_RATIO))
    ours, raw = base.compare(ours_fn, lambda: _raw_parse(data), repeat)
    rows.append(Row(section, READ, ours, raw, LXML_BASE))
    return rows


def run(argv: list[str] | None = None, out: Any = sys.stdout) -> list[Row]:
    """Run the benchmarks and print the table; returns the rows."""
    args = _parser().parse_args(argv)
    rows: list[Row] = []
    for work in args.work or DEFAULT_WORKS:
        path = Path(work) if Path(work).is_file() else locate(work)
        if path is None:
            print(f"skipped {work}: not in music21's corpus (or music21 is not installed)", file=out)
            continue
        rows.extend(score_rows(path, args.repeat, with_music21=not args.no_music21))
    return base.print_results(
        rows, markdown=args.markdown, conditions=f"wall time, best of {args.repeat}; load average {base._load()}", out=out
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.musicxml", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; the best counts (default 3)")
    parser.add_argument("--work", action="append", help="a music21 corpus work or a file path (repeatable)")
    parser.add_argument("--no-music21", action="store_true", help="skip the music21 rows (fast)")
    return base.add_output_options(parser)


def main(argv: list[str] | None = None) -> int:
    return base.exit_status(run(argv), strict=_parser().parse_args(argv).strict)


if __name__ == "__main__":
    sys.exit(main())
