"""The merge driver command of the command line: ``dawkit merge-driver %O %A %B %P``.

git runs it (``dawkit git install`` configures ``merge.dawkit.driver``); people rarely do, so
``dawkit.cli`` registers it hidden from the help.  The work is done in
:mod:`dawkit.vcs.merge_driver`; this module only parses the arguments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dawkit.cli_support import _guard

__all__ = ["merge_driver"]


@_guard
def merge_driver(
    base: Annotated[Path, typer.Argument(help="%O: the common ancestor (a temporary file).", show_default=False)],
    ours: Annotated[Path, typer.Argument(help="%A: ours; the merged result is written over it.", show_default=False)],
    theirs: Annotated[Path, typer.Argument(help="%B: theirs (a temporary file).", show_default=False)],
    pathname: Annotated[str, typer.Argument(help="%P: the file's path in the work tree (names the format).", show_default=False)],
) -> None:
    """Three-way semantic merge of a project file, as git's merge driver.

    Exit 0: merged into OURS.  Exit 1: conflicts; OURS is unchanged, theirs is saved beside the
    work-tree file as FILE.theirs.EXT and the report as FILE.conflicts.txt.  Exit 2: an input
    could not be read.  DAWKIT_MERGE_STRATEGY=ours|theirs|union resolves conflicts instead.
    """
    from dawkit.vcs.merge_driver import run_merge_driver

    raise typer.Exit(run_merge_driver(base, ours, theirs, pathname))
