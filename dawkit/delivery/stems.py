"""Match the audio files of a delivery folder to a project's tracks.

A file matches a track **by convention** when its name parses under the stem template
(``ProjectName_TrackName_Version_Date``, :data:`~dawkit.delivery.naming.STEM_TEMPLATE`) with
this project's name and a track's name (compared as safe fields, case-insensitively, as the file
systems the convention targets do). Otherwise it matches **by fuzzy name**: the file name,
cleaned of versions, dates, numbers, rate suffixes and filler words (:data:`NOISE_WORDS`), is
compared whole and by runs of words with every track name by :class:`difflib.SequenceMatcher`
(rapidfuzz is not a dependency); the best track wins when it scores at least
:data:`FUZZY_THRESHOLD` and no other track scores the same. Several files may match one track (alternative prints); renaming gives them unique names.

Only audio files (:data:`AUDIO_EXTENSIONS`) directly in the folder are considered; hidden files
(including dawkit's own temporary files) and everything else are listed as other files and left
alone.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Literal

from dawkit.delivery.naming import PROJECT_TEMPLATE, STEM_TEMPLATE, fold, safe_field
from dawkit.errors import CorruptFileError, read_error
from dawkit.interchange.model import Project

AUDIO_EXTENSIONS = frozenset({".wav", ".wave", ".bwf", ".aif", ".aiff", ".aifc", ".flac"})
#: Lowest similarity ratio (0..1) of a fuzzy match.
FUZZY_THRESHOLD = 0.65
#: Words that say how a file was made, not which track it holds.
NOISE_WORDS = frozenset({"stem", "stems", "bounce", "bounced", "print", "printed", "final", "export", "render", "audio", "track"})
#: Regular expression of each template field, as :func:`~dawkit.delivery.naming.render_name` writes it.
FIELD_PATTERNS: dict[str, str] = {
    "project": r"[A-Za-z0-9-]+",
    "track": r"[A-Za-z0-9-]+",
    "description": r"[A-Za-z0-9-]+",
    "key": r"[A-Za-z0-9-]+",
    "version": r"v\d{2,}",
    "date": r"\d{4}-\d{2}-\d{2}",
    "bpm": r"\d+(?:-\d+)?bpm",
    "index": r"\d+",
}
#: Fields a name must carry to follow a template; the others may be left out (empty fields drop).
REQUIRED_FIELDS = frozenset({"project", "track", "description"})
#: The optional sample rate / bit depth suffix of the convention (``_48k24``, ``_44k1-24``).
RATE_SUFFIX = r"(?:_(?P<rate>\d+k\d*(?:-\d+)?))?"
#: The suffix :class:`~dawkit.delivery.naming.Namer` adds to make a name unique (``-2``, ``-3``...).
UNIQUE_SUFFIX = r"(?:-(?P<copy>\d+))?"
#: Tokens dropped from a file name before fuzzy comparison: versions, numbers, rates, bit depths.
_NOISE_TOKEN = re.compile(r"v\d+|\d+|\d+k\d*|\d+bits?", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9]+")
#: Longest run of file-name tokens compared with a track name.
MAX_WINDOW = 4

Method = Literal["convention", "fuzzy"]


@dataclass(frozen=True)
class TrackRef:
    """A project track a stem can belong to: its id, name and model path (``tracks[1]``)."""

    id: str
    name: str
    path: str

    @property
    def key(self) -> str:
        """The name as compared: its safe field, case-folded."""
        return safe_field(self.name).casefold()


@dataclass(frozen=True)
class Match:
    """``file`` holds ``track``, found by ``method``; ``score`` is 1.0 by convention, else the ratio."""

    file: Path
    track: TrackRef
    method: Method
    score: float


@dataclass(frozen=True)
class Unmatched:
    """An audio file no track was found for, and why."""

    file: Path
    reason: str


@dataclass(frozen=True)
class Matching:
    """The files of a folder against a project's tracks."""

    matches: tuple[Match, ...]
    unmatched: tuple[Unmatched, ...]
    tracks_without_stem: tuple[TrackRef, ...]
    other_files: tuple[Path, ...]


def project_name(project: Project, project_path: str | os.PathLike[str]) -> str:
    """The name stems carry: the project's title, else its file name without the extension."""
    return project.metadata.title or Path(project_path).stem


def project_tracks(project: Project) -> list[TrackRef]:
    """Every track (group members included, master excluded), the first of each name only.

    Tracks whose names give the same safe field cannot be told apart by a file name: the later
    ones are left out. So are tracks whose name has no portable character (nothing to match).
    """
    seen: set[str] = set()
    tracks: list[TrackRef] = []
    for path, track in project.iter_tracks(include_master=False):
        ref = TrackRef(track.id, track.name, path)
        if ref.key and ref.key not in seen:
            seen.add(ref.key)
            tracks.append(ref)
    return tracks


@functools.lru_cache(maxsize=8)
def template_pattern(template: str = STEM_TEMPLATE) -> re.Pattern[str]:
    """A regular expression for file stems (no extension) written under ``template``.

    Each ``_``-separated piece of the template becomes a named group; pieces without a field of
    :data:`REQUIRED_FIELDS` are optional, as :func:`~dawkit.delivery.naming.render_name` drops
    empty ones. The optional rate suffix and uniqueness suffix may follow.
    """
    parts: list[str] = []
    for index, piece in enumerate(template.split("_")):
        fields = re.findall(r"\{(\w+)\}", piece)
        body = re.escape(re.sub(r"\{\w+\}", "\0", piece))
        for name in fields:
            body = body.replace("\0", f"(?P<{name}>{FIELD_PATTERNS[name]})", 1)
        separated = body if index == 0 else f"_{body}"
        parts.append(separated if REQUIRED_FIELDS & set(fields) else f"(?:{separated})?")
    return re.compile("^" + "".join(parts) + RATE_SUFFIX + UNIQUE_SUFFIX + "$", re.IGNORECASE)


def parse_name(stem: str, template: str = STEM_TEMPLATE) -> dict[str, str] | None:
    """The fields of a file stem written under ``template``, or ``None`` if it does not follow it."""
    found = template_pattern(template).match(stem)
    return None if found is None else {name: value for name, value in found.groupdict().items() if value}


def convention_fields(file: Path, project: str, template: str = STEM_TEMPLATE) -> dict[str, str] | None:
    """The fields of ``file``'s name if it is named under ``template`` for ``project``, else ``None``."""
    fields = parse_name(file.stem, template)
    if fields is None or fields["project"].casefold() != safe_field(project).casefold():
        return None
    return fields


def is_project_render(file: Path, project: str) -> bool:
    """Whether ``file`` is named as a versioned render of ``project`` (``ProjectName_vXX_Date_Description``)."""
    fields = convention_fields(file, project, PROJECT_TEMPLATE)
    return fields is not None and "version" in fields


def scan_folder(directory: str | os.PathLike[str], *, exclude: frozenset[Path] = frozenset()) -> tuple[list[Path], list[Path]]:
    """The audio files directly in ``directory`` and every other entry, each sorted by name.

    Hidden entries and those in ``exclude`` (resolved paths) are left out of both lists.
    """
    folder = Path(directory)
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except NotADirectoryError:
        raise CorruptFileError("is not a directory", source=folder) from None
    except OSError as exc:
        raise read_error(exc, folder) from None
    audio: list[Path] = []
    other: list[Path] = []
    for entry in entries:
        path = folder / entry.name
        if entry.name.startswith(".") or path.resolve() in exclude:
            continue
        is_audio = entry.is_file() and path.suffix.lower() in AUDIO_EXTENSIONS
        (audio if is_audio else other).append(path)
    return audio, other


def _fuzzy_keys(stem: str) -> set[str]:
    """The file stem as compared: all its tokens joined, and every run of up to
    :data:`MAX_WINDOW` tokens once the noise is left out (``NF_bass_final`` -> ``nf``, ``bass``,
    ``nfbass``...), so a prefix such as another spelling of the project does not hide the track."""
    tokens = _TOKEN.findall(fold(stem))
    kept = [t.casefold() for t in tokens if t.casefold() not in NOISE_WORDS and not _NOISE_TOKEN.fullmatch(t)]
    windows = {"".join(kept[i:j]) for i in range(len(kept)) for j in range(i + 1, min(len(kept), i + MAX_WINDOW) + 1)}
    return {key for key in ("".join(tokens).casefold(), *windows) if key}


def _similarity(keys: set[str], track: TrackRef) -> float:
    """The best :class:`~difflib.SequenceMatcher` ratio of any key against the track's key."""
    matcher = SequenceMatcher(None, "", track.key)  # caches the track side
    best = 0.0
    for key in keys:
        matcher.set_seq1(key)
        if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
            best = max(best, matcher.ratio())
    return best


def _fuzzy(file: Path, tracks: list[TrackRef]) -> Match | Unmatched:
    """The single best-scoring track for ``file``, if it scores at least :data:`FUZZY_THRESHOLD`."""
    keys = _fuzzy_keys(file.stem)
    scored = sorted(((_similarity(keys, track), track) for track in tracks), key=lambda pair: -pair[0])
    if not scored or scored[0][0] < FUZZY_THRESHOLD:
        return Unmatched(file, "no track name is similar enough")
    best, track = scored[0]
    tied = [other.name for score, other in scored[1:] if score == best]
    if tied:
        return Unmatched(file, f"ambiguous: matches {', '.join([track.name, *tied])} equally")
    return Match(file, track, "fuzzy", round(best, 3))


def match_file(file: Path, tracks: list[TrackRef], project: str) -> Match | Unmatched:
    """The track ``file`` holds: by the stem convention first, then by fuzzy name.

    A file named as a render of the whole project (``ProjectName_vXX_Date_Description``, e.g. a
    master renamed by an earlier run) is no stem: it is left unmatched, with that reason.
    """
    by_key = {track.key: track for track in tracks}
    fields = convention_fields(file, project)
    if fields is not None:
        track = by_key.get(fields["track"].casefold())
        if track is not None:
            return Match(file, track, "convention", 1.0)
    if is_project_render(file, project):
        return Unmatched(file, "named as a render of the whole project, not a stem (a master: pass it with --master)")
    return _fuzzy(file, tracks)


def match_stems(
    directory: str | os.PathLike[str],
    project: Project,
    project_name: str,
    *,
    exclude: frozenset[Path] = frozenset(),
) -> Matching:
    """Match the audio files in ``directory`` (minus ``exclude``, resolved paths) to the tracks of ``project``."""
    files, other = scan_folder(directory, exclude=exclude)
    tracks = project_tracks(project)
    found = [match_file(file, tracks, project_name) for file in files]
    matches = tuple(item for item in found if isinstance(item, Match))
    covered = {match.track.id for match in matches}
    return Matching(
        matches=matches,
        unmatched=tuple(item for item in found if isinstance(item, Unmatched)),
        tracks_without_stem=tuple(track for track in tracks if track.id not in covered),
        other_files=tuple(other),
    )
