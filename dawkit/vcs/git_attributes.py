"""``.gitattributes`` entries that route project files to dawkit's drivers (and audio to LFS).

dawkit's lines live in one marked block at the end of the attributes file, so that everything
else in the file is left exactly as it was and ``dawkit git uninstall`` removes only the block.
An entry is added only when absent: if the file (outside the block) already gives a pattern an
attribute, that choice is respected, whatever its value (``*.als -diff`` stays undiffed).  Installing
again merges into the block, so ``install`` then ``install --lfs`` keeps both sets.

Where the attributes go, by scope:

* ``local``: ``.gitattributes`` at the root of the work tree (commit it: collaborators then only
  need ``dawkit git install`` for the driver configuration, which git never shares);
* ``global``: ``core.attributesFile``, else ``$XDG_CONFIG_HOME/git/attributes``, else
  ``~/.config/git/attributes`` (git's own order; parent folders are created);
* ``system``: git's system attributes file (``git var GIT_ATTR_SYSTEM``, else ``/etc/gitattributes``).

LFS (``--lfs``): audio is stored with git-lfs; project files of other DAWs, which dawkit can
neither diff nor merge, are stored with LFS and marked ``lockable`` so that ``git lfs lock``
prevents two people editing one at the same time.  dawkit's own formats stay out of LFS on purpose:
git hands LFS pointer files, not projects, to textconv and merge drivers.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from dawkit.atomic import atomic_write_bytes
from dawkit.errors import OutputError, read_error
from dawkit.vcs.blobs import open_repo
from dawkit.vcs.git_config import DRIVER, Scope, run_git

__all__ = [
    "AUDIO_PATTERNS",
    "LOCKABLE_PATTERNS",
    "PROJECT_PATTERNS",
    "attributes_path",
    "install_attributes",
    "lfs_entries",
    "project_entries",
    "uninstall_attributes",
]

#: Files dawkit diffs and merges.
PROJECT_PATTERNS = ("*.als", "*.dawproject", "*.mid", "*.midi", "*.musicxml", "*.mxl")
#: Audio stored with git-lfs under ``--lfs``.
AUDIO_PATTERNS = ("*.wav", "*.aif", "*.aiff", "*.flac", "*.mp3", "*.ogg")
#: Binary projects of DAWs dawkit cannot merge (FL Studio, Cubase/Nuendo, Pro Tools, Studio One,
#: Bitwig): stored with LFS and lockable under ``--lfs``.
LOCKABLE_PATTERNS = ("*.flp", "*.cpr", "*.npr", "*.ptx", "*.song", "*.bwproject")

BEGIN = "# >>> dawkit: added by `dawkit git install`; `dawkit git uninstall` removes this block"
END = "# <<< dawkit"

_LFS_ATTRIBUTES = ("filter=lfs", "diff=lfs", "merge=lfs", "-text")
#: Macro attributes that set other attributes (git's built-in ``binary`` = ``-diff -merge -text``).
_MACROS = {"binary": ("diff", "merge", "text")}

Entry = tuple[str, tuple[str, ...]]


def project_entries() -> list[Entry]:
    """``*.als diff=dawkit merge=dawkit`` and so on."""
    return [(pattern, (f"diff={DRIVER}", f"merge={DRIVER}")) for pattern in PROJECT_PATTERNS]


def lfs_entries() -> list[Entry]:
    """LFS tracking for audio, and for other DAWs' binary projects also ``lockable``."""
    return [(pattern, _LFS_ATTRIBUTES) for pattern in AUDIO_PATTERNS] + [
        (pattern, (*_LFS_ATTRIBUTES, "lockable")) for pattern in LOCKABLE_PATTERNS
    ]


def attributes_path(cwd: str | os.PathLike[str], scope: Scope) -> Path:
    """The attributes file of ``scope`` (see the module docstring)."""
    if scope == "local":
        return Path(open_repo(cwd).working_tree_dir or cwd) / ".gitattributes"
    if scope == "global":
        status, out, _ = run_git(cwd, "config", "--type=path", "--get", "core.attributesFile")
        if status == 0 and out:
            return Path(out)
        xdg = os.environ.get("XDG_CONFIG_HOME")
        base = Path(xdg) if xdg else Path.home() / ".config"
        return base / "git" / "attributes"
    status, out, _ = run_git(cwd, "var", "GIT_ATTR_SYSTEM")  # git >= 2.42
    return Path(out) if status == 0 and out else Path("/etc/gitattributes")


def _settings(attributes: Iterable[str]) -> dict[str, str]:
    """Attribute name -> the item that sets, unsets or unspecifies it (``diff`` -> ``-diff``), with
    macros expanded (``binary`` sets ``diff``, ``merge`` and ``text``)."""
    found: dict[str, str] = {}
    for item in attributes:
        name = item.lstrip("-!").partition("=")[0]
        found[name] = item
        found.update(dict.fromkeys(_MACROS.get(name, ()), item))
    return found


def _split(text: str) -> tuple[list[str], list[str]]:
    """The lines outside dawkit's block (with their line endings, so they are written back
    byte for byte), and the lines inside it (without)."""
    outside: list[str] = []
    inside: list[str] = []
    in_block = False
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        if line == BEGIN:
            in_block = True
        elif line == END and in_block:
            in_block = False
        elif in_block:
            inside.append(line)
        else:
            outside.append(raw)
    if outside and not outside[-1].endswith("\n"):
        outside[-1] += "\n"  # the block starts on a line of its own
    return outside, inside


def _assigned(lines: Iterable[str]) -> dict[str, dict[str, str]]:
    """Pattern -> attribute name -> the item the lines set it with (later lines win, as in git)."""
    found: dict[str, dict[str, str]] = {}
    for line in lines:
        parts = line.split()
        if parts and not parts[0].startswith("#"):
            found.setdefault(parts[0], {}).update(_settings(parts[1:]))
    return found


def install_attributes(path: Path, entries: list[Entry]) -> tuple[list[str], list[str]]:
    """Add the absent ``entries`` to dawkit's block in ``path`` (created with its folders if needed).

    An attribute the file already sets for the same pattern is not added again; one the file
    sets differently is left to the file, with a note.  Returns the lines added and the notes.
    """
    text = _read(path) if path.exists() else ""
    outside, inside = _split(text)
    user = _assigned(outside)
    ours = _assigned(inside)
    block = list(inside)
    added: list[str] = []
    notes: list[str] = []
    for pattern, attributes in entries:
        kept: list[str] = []
        for item, name in ((item, next(iter(_settings([item])))) for item in attributes):
            existing = user.get(pattern, {}).get(name) or ours.get(pattern, {}).get(name)
            if existing is None:
                kept.append(item)
            elif existing != item:
                notes.append(f"{pattern}: {path} sets {existing!r}; left as is (dawkit would set {item!r})")
        if kept:
            line = f"{pattern} {' '.join(kept)}"
            block.append(line)
            added.append(line)
            ours.setdefault(pattern, {}).update(_settings(kept))
    if added:
        _write(path, "".join([*outside, *(f"{line}\n" for line in (BEGIN, *block, END))]))
    return added, notes


def uninstall_attributes(path: Path) -> list[str]:
    """Remove dawkit's block from ``path`` (the file too, if nothing else is left); the lines removed."""
    if not path.exists():
        return []
    text = _read(path)
    outside, inside = _split(text)
    if BEGIN not in text.splitlines():
        return []
    if any(line.strip() for line in outside):
        _write(path, "".join(outside))
    else:
        path.unlink()
    return inside


def _read(path: Path) -> str:
    # surrogateescape: bytes that are not UTF-8 in the user's lines are written back unchanged.
    try:
        return path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError as exc:
        raise read_error(exc, path) from None


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder: {exc.strerror or exc}", source=path) from None
    atomic_write_bytes(path, text.encode("utf-8", "surrogateescape"))
