"""Bringing back parts of an old version of a project: :func:`restore_tracks`, :func:`restore_clips`.

The old version's tracks or clips are put into a copy of the current project in place of their
current versions (paired with :mod:`dawkit.vcs.match`: a track by id, then name and kind, then
content; a clip by position and name), and that *wanted* project is applied to the current one
with the three-way merge (base and ours the current project, theirs the wanted one).  The merge
never conflicts there (ours did not change since its base) and it does the bookkeeping a
partial restore needs: objects that exist on both sides keep the current project's format
extras, objects only the old version has are adopted with fresh ids, and references between
objects (send targets, outputs, automated devices) are translated.  So a project read from a
Live Set is still written in patch mode on the current file, touching only what was restored.

The old version should be read as if it were the current file (:func:`dawkit.vcs.blobs.read_at`
does): sample paths stored relative to the file then resolve against the current file's folder,
and restored audio clips point at the samples there.

Restoring a group track brings back the group's own data (mixer, devices, clips), not its members:
they are tracks of their own, named with ``--track`` too.  A track deleted since comes back in its
old group when that still exists (else at the top level), after its old neighbour.  Launcher slots are not restored by
``restore_clips`` (only arrangement clips).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dawkit.errors import InvalidValueError
from dawkit.interchange.model import Clip, Project, Track
from dawkit.vcs.diff import diff_projects
from dawkit.vcs.diff_model import ProjectDiff
from dawkit.vcs.match import ProjectMatch, TrackPair, match_clips, match_projects
from dawkit.vcs.merge import merge_projects
from dawkit.vcs.merge_core import adopt

__all__ = ["Restored", "restore", "restore_clips", "restore_tracks", "split_clip_spec"]


@dataclass(frozen=True)
class Restored:
    """A restore's result: the new current project, what changed from the current one, and
    what of the old version could not come back (``notes``)."""

    project: Project
    diff: ProjectDiff
    notes: tuple[str, ...] = ()


def _tracks_by_name(project: Project, name: str) -> list[Track]:
    """The tracks (master included) called ``name``."""
    return [track for _, track in project.iter_tracks() if track.name == name]


def _old_track(match: ProjectMatch, name: str, label: str) -> Track:
    """The track of the old version called ``name`` there, or else called so now."""
    found = _tracks_by_name(match.a, name)
    if not found:
        found = [p.a for p in match.tracks if p.a is not None and p.b is not None and p.b.name == name]
    if not found:
        raise InvalidValueError(f'no track "{name}" in {label}')
    if len(found) > 1:
        raise InvalidValueError(f'{len(found)} tracks are named "{name}" in {label}; rename one first')
    return found[0]


def _pair_of(pairs: list[TrackPair], old_track: Track) -> TrackPair:
    return next(p for p in pairs if p.a is old_track)


def _translated(track: Track, ids: dict[str, str], notes: list[str]) -> Track:
    """A copy of an old track for the wanted project: the old version's track ids in its
    references (send targets, output, automated sends) replaced by the current project's; sends
    to return tracks the current version no longer has are left out (noted)."""
    out = adopt(track)
    gone = sum(1 for send in out.channel.sends if send.target not in ids)
    if gone:
        notes.append(f'track "{track.name}": {gone} send(s) to return tracks removed since not restored')
    out.channel.sends = [send for send in out.channel.sends if send.target in ids]
    for send in out.channel.sends:
        send.target = ids[send.target]
    if out.channel.output is not None:
        out.channel.output = ids.get(out.channel.output, out.channel.output)
    for automation in out.automation:
        if automation.target.send is not None:
            automation.target.send = ids.get(automation.target.send, automation.target.send)
    return out


def _current_of(wanted: Project, pair: TrackPair) -> Track | None:
    """The wanted project's copy of the current track paired with an old one (None: none)."""
    if pair.b is None:
        return None
    return wanted.track(pair.b.id)


def _insert_track(wanted: Project, match: ProjectMatch, track: Track, old_track: Track) -> None:
    """Put a track the current project no longer has back into its old group (the top level if
    the group is gone too), after the nearest track before it there that the current version
    still has (first if none)."""
    partner = {id(p.a): p.b.id for p in match.tracks if p.a is not None and p.b is not None}
    old_parent = next((t for _, t in match.a.iter_tracks() if any(c is old_track for c in t.children)), None)
    old_siblings = match.a.tracks if old_parent is None else old_parent.children
    group = None if old_parent is None or id(old_parent) not in partner else wanted.track(partner[id(old_parent)])
    siblings = wanted.tracks if group is None else group.children
    here = [t.id for t in siblings]
    position = 0
    for earlier in reversed(old_siblings[: next(k for k, t in enumerate(old_siblings) if t is old_track)]):
        if partner.get(id(earlier)) in here:
            position = here.index(partner[id(earlier)]) + 1
            break
    siblings.insert(position, track)


def _apply(current: Project, wanted: Project, notes: list[str]) -> Restored:
    merged = merge_projects(current, current, wanted, strategy="theirs").project
    return Restored(merged, diff_projects(current, merged), tuple(notes))


def restore_tracks(current: Project, old: Project, names: Sequence[str], *, label: str = "the old version") -> Restored:
    """``current`` with the tracks named ``names`` (their names in ``old``, or else in ``current``)
    as they are in ``old``; a track the current project lost comes back after its old neighbour.
    ``label`` names the old version in errors (``HEAD~2``)."""
    match = match_projects(old, current)
    wanted = current.copy_deep()
    notes: list[str] = []
    for name in dict.fromkeys(names):
        old_track = _old_track(match, name, label)
        restored = _translated(old_track, match.track_ids, notes)
        place = _current_of(wanted, _pair_of(match.tracks, old_track))
        if place is None:
            restored.children = []
            _insert_track(wanted, match, restored, old_track)
            continue
        restored.id, restored.children = place.id, place.children
        _replace_track(wanted, place, restored)
    return _apply(current, wanted, notes)


def _replace_track(project: Project, track: Track, by: Track) -> None:
    if project.master is track:
        project.master = by
        return
    lists = [project.tracks, *(t.children for _, t in project.iter_tracks(include_master=False))]
    siblings = next(s for s in lists if any(t is track for t in s))
    siblings[next(k for k, t in enumerate(siblings) if t is track)] = by


def split_clip_spec(spec: str, old: Project, current: Project, label: str = "the old version") -> tuple[str, str]:
    """``TRACK/CLIP`` as (track name, clip name); either name may hold ``/``, so the split
    chosen is the first that names a track of ``old`` holding such a clip, else a track of
    ``old``, else a track of ``current``."""
    splits = [(spec[:k], spec[k + 1 :]) for k, char in enumerate(spec) if char == "/"]
    tests = (
        lambda track, clip: any((c.name or "") == clip for t in _tracks_by_name(old, track) for c in t.clips),
        lambda track, _: bool(_tracks_by_name(old, track)),
        lambda track, _: bool(_tracks_by_name(current, track)),
    )
    for test in tests:
        for track, clip in splits:
            if test(track, clip):
                return track, clip
    raise InvalidValueError(f'no track named by "{spec}" in {label} (write TRACK/CLIP)')


def restore_clips(current: Project, old: Project, clips: Sequence[tuple[str, str]], *, label: str = "the old version") -> Restored:
    """``current`` with the arrangement clips ``clips`` ((track name, clip name) in ``old``; every
    clip of that name on the track) as they are in ``old``.  The track must still exist."""
    match = match_projects(old, current)
    wanted = current.copy_deep()
    for track_name, clip_name in dict.fromkeys(clips):
        old_track = _old_track(match, track_name, label)
        chosen = [clip for clip in old_track.clips if (clip.name or "") == clip_name]
        if not chosen:
            raise InvalidValueError(f'no clip "{clip_name}" on track "{track_name}" in {label}')
        place = _current_of(wanted, _pair_of(match.tracks, old_track))
        if place is None:
            raise InvalidValueError(f'track "{track_name}" is not in the current version; restore it with --track')
        copies = [adopt(clip) for clip in chosen]
        place.clips = _with_clips(place.clips, old_track.clips, dict(zip(map(id, chosen), copies, strict=True)))
    return _apply(current, wanted, [])


def _with_clips(current: list[Clip], old: list[Clip], copies: dict[int, Clip]) -> list[Clip]:
    """``current`` clips with the copy of each chosen old clip (``copies``: by the old clip's
    ``id()``) in place of its partner (or added), sorted by position like a track's clips."""
    replaced = {id(p.b) for p in match_clips(old, current) if p.a is not None and p.b is not None and id(p.a) in copies}
    kept = [clip for clip in current if id(clip) not in replaced]
    return sorted([*kept, *copies.values()], key=lambda c: c.start)


def restore(
    current: Project, old: Project, *, tracks: Sequence[str] = (), clips: Sequence[str] = (), label: str = "the old version"
) -> Restored:
    """Tracks and ``TRACK/CLIP`` clips of ``old`` brought into ``current`` (see the functions above)."""
    result = Restored(current, ProjectDiff())
    if tracks:
        result = restore_tracks(current, old, tracks, label=label)
    if clips:
        specs = [split_clip_spec(spec, old, current, label) for spec in clips]
        after = restore_clips(result.project, old, specs, label=label)
        result = Restored(after.project, diff_projects(current, after.project), result.notes)
    return result
