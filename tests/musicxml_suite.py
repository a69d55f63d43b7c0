"""Real MusicXML test material inside the installed music21 package (never copied into the repo).

* The Lilypond MusicXML test suite (``music21/musicxml/lilypondTestSuite``) located with
  ``music21.common.getSourceFilePath()``, and scores of music21's corpus located with
  ``music21.corpus.getWork``; tests that need them skip with the reason when music21 or its
  corpus is absent (:data:`needs_suite`, :func:`corpus_score`).
* :data:`OUT_OF_SCOPE`: the TEST-DATA TABLE of suite files whose notes are *not* compared with
  music21's reading, each with the reason.
* :func:`music21_notes` / :func:`dawkit_notes`: the notes of a score as sorted multisets of
  ``(part number, MIDI key, onset, duration)`` with exact :class:`~fractions.Fraction` beats, read by
  music21 (after ``stripTies``, at sounding pitch, without grace, cue and unpitched notes) and
  by dawkit.  music21 results are cached per file for the session, and music21 pickles its
parses in its scratch folder (parsing op. 59/1 takes seconds).
"""

from __future__ import annotations

import functools
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from dawkit.interchange.model import Project

try:  # music21 is a test dependency; a stripped install may lack it or its corpus
    import music21
    from music21 import common as m21_common
    from music21 import corpus as m21_corpus
except ImportError:  # pragma: no cover - depends on the environment
    music21 = None

NoteKey = tuple[int, int, Fraction, Fraction]

SUITE: Path | None = (
    Path(m21_common.getSourceFilePath()) / "musicxml" / "lilypondTestSuite" if music21 is not None else None
)
needs_suite = pytest.mark.skipif(
    SUITE is None or not SUITE.is_dir(),
    reason="music21's Lilypond MusicXML test suite is not installed (pip install music21)",
)

#: TEST-DATA TABLE: suite files whose notes are not compared with music21, and why.  Every
#: other suite file must read and give exactly music21's notes.
OUT_OF_SCOPE: dict[str, str] = {
    "02e-Rests-NoType.xml": (
        "music21 10.5 copies the staff-less E3 of bar 1 into both staves of the piano part (two "
        "notes); MusicXML has one note, which dawkit reads"
    ),
    "21f-Chord-ElementInBetween.xml": (
        "music21 10.5 ends the chord at the <direction> between its notes and plays F#4 and D4 "
        "one and two beats later; <chord/> puts them at the chord's onset, as dawkit reads"
    ),
    "32c-MultipleNotationChildren.xml": (
        "the file shows a sharp <accidental> but has no <alter>: MusicXML sounds A4 (dawkit), "
        "music21 plays the displayed A#4"
    ),
}

#: music21 corpus scores compared note for note (work path with extension: getWork returns a
#: list for ambiguous names such as ``nested_tuplet_finale_test``).
CORPUS_SCORES: tuple[str, ...] = (
    "beethoven/opus59no1/movement3.mxl",
    "bach/bwv66.6.mxl",
    "joplin/maple_leaf_rag.mxl",
    "schoenberg/opus19/movement2.mxl",
    "demos/drum_sample.xml",
    "demos/nested_tuplet_finale_test.xml",
    "beach/prayer_of_a_tired_child.musicxml",
    "leadSheet/berlinAlexandersRagtime.mxl",
    "mozart/k80/movement1.mxl",
    "haydn/opus74no1/movement3.mxl",
    "monteverdi/madrigal.3.1.mxl",
    "cpebach/h186.mxl",
    "corelli/opus3no1/1grave.xml",
)


#: Corpus scores where music21's ``stripTies`` leaves ties into or out of chords unjoined (and,
#: in Beach bar 30-31, loses the tied G3 altogether): ``(only dawkit, only music21)`` notes as
#: ``"part pitch onset duration"``.  Each dawkit note is the joined tie music21 leaves in pieces.
KNOWN_MUSIC21_DIFFERENCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "haydn/opus74no1/movement3.mxl": (
        ("1 60 48 6", "2 64 14 4",),
        ("1 60 48 3", "1 60 51 3", "2 64 14 1", "2 64 15 3",),
    ),
    "beach/prayer_of_a_tired_child.musicxml": (
        ("4 55 118 6", "4 59 199/2 5/2", "4 63 107 3", "4 63 110 3", "4 67 107 3", "4 70 104 3", "4 75 109 4", "4 77 104 3",),
        ("4 59 199/2 1/2", "4 59 100 2", "4 63 107 1", "4 63 108 2", "4 63 110 2", "4 63 112 1", "4 67 107 1", "4 67 108 2", "4 70 104 2", "4 70 106 1", "4 75 109 3", "4 75 112 1", "4 77 104 2", "4 77 106 1",),
    ),
    "beethoven/opus59no1/movement3.mxl": (
        ("1 65 255 3",),
        ("1 65 255 1", "1 65 256 2",),
    ),
}


def suite_files() -> list[str]:
    """Names of every suite file (``.xml`` and ``.mxl``), sorted; empty without music21."""
    if SUITE is None or not SUITE.is_dir():
        return []
    return sorted(p.name for p in SUITE.iterdir() if p.suffix in (".xml", ".mxl") and not p.name.startswith("__"))


def suite_path(name: str) -> Path:
    """The path of a suite file (skips the test when the suite is absent)."""
    if SUITE is None or not (SUITE / name).is_file():
        pytest.skip(f"music21's Lilypond suite file {name} is not installed")
    return SUITE / name


def corpus_score(work: str) -> Path:
    """The path of a music21 corpus score; skips the test when music21 ships without it."""
    if music21 is None:
        pytest.skip("music21 is not installed")
    try:
        found = m21_corpus.getWork(work)
    except music21.exceptions21.CorpusException as exc:
        pytest.skip(f"music21 corpus score {work} is not available ({type(exc).__name__})")
    if isinstance(found, list):
        found = found[0]
    return Path(found)


def _part_numbers(parts: list[Any]) -> list[int]:
    """The 0-based ``<part>`` each music21 Part belongs to: music21 splits a multi-staff part
    into PartStaffs with ids ``P1-Staff1``, ``P1-Staff2``, which count as one part."""
    numbers: list[int] = []
    previous: str | None = None
    for part in parts:
        group = str(part.id).split("-Staff")[0] if "-Staff" in str(part.id) else None
        if group is None or group != previous:
            numbers.append(numbers[-1] + 1 if numbers else 0)
        else:
            numbers.append(numbers[-1])
        previous = group
    return numbers


@functools.cache
def music21_reading(path: Path, expand_repeats: bool = False) -> tuple[tuple[tuple[int, int, int, Fraction, Fraction], ...], tuple[tuple[Fraction, ...], ...]]:
    """music21's reading of ``path`` (cached per file for the session): its notes as
    ``(part number, MIDI key, measure index, beats into the measure, duration)`` and each
    part's measure starts (beats)."""
    # music21's own pickle cache (in its scratch folder) makes later sessions fast; it is keyed
    # on the file and music21's version, so it cannot go stale.
    score = music21.converter.parse(str(path))
    if expand_repeats:
        score = score.expandRepeats()
    score = score.toSoundingPitch()
    keys: list[tuple[int, int, int, Fraction, Fraction]] = []
    starts: list[tuple[Fraction, ...]] = []
    parts = list(score.parts)
    for part, part_id in zip(parts, _part_numbers(parts), strict=True):
        stripped = part.stripTies()
        measures = list(stripped.getElementsByClass("Measure"))
        starts.append(tuple(Fraction(m.offset) for m in measures))
        flat = stripped.flatten().notes
        if any(isinstance(e, (music21.note.Unpitched, music21.percussion.PercussionChord)) for e in flat):
            continue  # drum parts: compared by dedicated tests (music21 has no sounding key)
        for index, measure in enumerate(measures):
            for element in measure.recurse().notes:
                if element.duration.isGrace or getattr(element.style, "noteSize", None) == "cue":
                    continue
                if isinstance(element, music21.harmony.Harmony):
                    continue
                offset = Fraction(element.getOffsetInHierarchy(measure))
                duration = Fraction(element.duration.quarterLength)
                for pitch in element.pitches:
                    keys.append((part_id, pitch.midi, index, offset, duration))
    return tuple(keys), tuple(starts)


def music21_notes(path: Path, measure_starts: list[Fraction], *, expand_repeats: bool = False) -> tuple[NoteKey, ...]:
    """music21's notes of ``path`` placed on ``measure_starts`` (dawkit's measure grid).

    music21 places each part's measures after that part's own content, so a measure one part
    leaves short (op. 59/1 mvt 3, bar 14: 1.625 of 2 beats in the first violin only) shifts that
    part against the others; dawkit keeps the parts aligned.  Notes are therefore compared by
    measure and position in the measure; :func:`music21_measure_starts` checks the grid itself
    wherever music21's parts agree.
    """
    keys, _ = music21_reading(path, expand_repeats)
    return tuple(sorted((part, pitch, measure_starts[index] + offset, duration) for part, pitch, index, offset, duration in keys))


def music21_measure_starts(path: Path, *, expand_repeats: bool = False) -> dict[int, Fraction]:
    """Measure index -> start (beats) for the measures where all of music21's parts agree."""
    _, starts = music21_reading(path, expand_repeats)
    agreed: dict[int, Fraction] = {}
    for index in range(max((len(s) for s in starts), default=0)):
        values = {s[index] for s in starts if index < len(s)}
        if len(values) == 1:
            agreed[index] = values.pop()
    return agreed


def dawkit_measure_starts(project: Project) -> list[Fraction]:
    """dawkit's measure starts in beats (``extras["musicxml"]["measures"]``), exact."""
    return [Fraction(m["start"]).limit_denominator(10**6) for m in project.extras["musicxml"]["measures"]]


def dawkit_notes(project: Project, *, pitched_only: bool = True) -> tuple[NoteKey, ...]:
    """dawkit's notes as the same multiset (``pitched_only``: without unpitched-part drums).

    Onsets and durations come back from floats; every value music21 can express is a dyadic or
    small-denominator fraction, recovered exactly with ``limit_denominator``.
    """
    keys: list[NoteKey] = []
    for part_id, track in enumerate(project.tracks):
        if pitched_only and track.extras["musicxml"].get("unpitched"):
            continue
        for clip in track.clips:
            notes = clip.content.notes
            for start, duration, pitch in zip(
                notes.column("start"), notes.column("duration"), notes.column("pitch"), strict=True
            ):
                keys.append(
                    (
                        part_id,
                        int(pitch),
                        Fraction(float(start) + clip.start).limit_denominator(10**6),
                        Fraction(float(duration)).limit_denominator(10**6),
                    )
                )
    return tuple(sorted(keys))
