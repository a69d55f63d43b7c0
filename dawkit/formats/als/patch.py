"""Patch-mode writing: apply the differences between a project and its source set to the source XML.

``patch_document`` reads the pristine source document into the model again (the *base*), pairs
base objects with project objects through the reader's element keys (``extras["als"]["ref"]``)
and, for every difference, edits only the element(s) concerned.  Unchanged data keeps its
lexical strings, so a project written back without edits is byte-identical to its source and a
one-note edit changes one line of XML.  New values are formatted with :mod:`.values`; new
elements are cloned from a sibling of the same kind in the same set when there is one (their
pool ids re-allocated, :mod:`.ids`), otherwise built from dawkit's own Live 11/12 skeleton tables.

What is written, by module:

* :mod:`.patch_tracks` -- track names, colours, annotations, mixer (volume, pan, mute, solo,
  arm, sends, output), device names/on/parameter values, removed devices; tracks added (cloned)
  and removed, group membership and order; :mod:`.patch_returns` -- return tracks added and
  removed with every track's send holders and ``SendsPre``;
* :mod:`.patch_clips` / :mod:`.patch_notes` -- arrangement and session clips added, removed,
  moved, resized, looped, renamed, recoloured, disabled; notes added, removed, changed (pitch
  too) and their per-note expressions; MIDI clip envelopes (added, removed, points); audio
  clip gain;
* :mod:`.patch_automation` / :mod:`.patch_events` -- automation points and new envelopes;
* :mod:`.patch_tempo` -- tempo map and time signatures; :mod:`.patch_global` -- locators, loop
  region, scenes (added, removed, renamed, recoloured, tempo), and what Live has no place for.

They share the :class:`~dawkit.formats.als.patch_context.PatchContext`.  Anything they cannot
write (a new plug-in from another format, an edited device state ...) is recorded as a loss in
the conversion report with its place, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from dawkit.formats.als.container import LiveDocument
from dawkit.formats.als.patch_context import PatchContext
from dawkit.formats.als.patch_global import (
    patch_locators,
    patch_loop,
    patch_project_fields,
    patch_scenes,
)
from dawkit.formats.als.patch_tempo import patch_tempo, patch_time_signatures
from dawkit.formats.als.patch_tracks import patch_tracks
from dawkit.formats.als.reader_notes import Prescanned
from dawkit.formats.als.retained import source_folder
from dawkit.interchange.model import Project
from dawkit.interchange.report import ConversionReport

__all__ = ["patch_document"]

Patcher = Callable[[PatchContext, Project, Project], None]

#: Patchers in the order they run: the tracks last, so that track additions see the final
#: scene count and return tracks.
PATCHERS: Final[tuple[Patcher, ...]] = (
    patch_project_fields,
    patch_tempo,
    patch_time_signatures,
    patch_loop,
    patch_locators,
    patch_scenes,
    patch_tracks,
)


def patch_document(
    doc: LiveDocument,
    project: Project,
    report: ConversionReport,
    *,
    source: str,
    prescanned: Prescanned | None = None,
) -> bool:
    """Edit ``doc`` (a pristine, caller-owned parse of ``project``'s source set) in place so that
    it holds ``project``; True if anything changed.  Losses go to ``report``.  ``prescanned``:
    the notes of ``doc``'s source text, if read already (:mod:`.reader_prescan`)."""
    from dawkit.formats.als.reader import build_project

    base, refs = build_project(doc, source=source, base_dir=source_folder(project), prescanned=prescanned)
    ctx = PatchContext(doc=doc, refs=refs, report=report, source=source)
    for patcher in PATCHERS:
        patcher(ctx, base, project)
    for _, track in project.iter_tracks():
        if track.midi_patch is not None:
            report.lose(f"MIDI patch ({track.midi_patch.describe()}); a Live track has no General MIDI program", f"track {track.name!r}")
    # Only an edited set gets its id bookkeeping renewed: an unedited one (even one whose
    # NextPointeeId another tool left too low) is written back exactly as it was.
    if ctx.changed:
        ctx.ids.finish()
    return ctx.changed
