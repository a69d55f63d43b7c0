"""BagIt 1.0 bags (RFC 8493): build one in a folder, and verify one.

A bag is a folder holding ``bagit.txt`` (version and tag-file encoding), ``bag-info.txt``
(``Label: value`` metadata), the payload under ``data/``, ``manifest-sha256.txt`` (one
``checksum  path`` line per payload file) and ``tagmanifest-sha256.txt`` (the same for the tag
files).  Paths in manifests are relative to the bag, with ``/`` separators, and percent-encode
exactly the characters RFC 8493 section 2.1.3 names: CR, LF and ``%``.

Files are hashed in fixed-size blocks while they are copied, so memory stays bounded whatever
their size (a 2-hour multitrack WAV costs one block of RAM).  A finished bag is flushed to disk
(files and folders fsynced) before its caller renames it into place.  Only sha256 is written: it is the
Git LFS object id as well, and sha512 (the ``bagit`` library's other default) doubles hashing time.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from dawkit.atomic import (
    sync_directory,
)
from dawkit.errors import CorruptFileError, OutputError

BAGIT_VERSION = "1.0"
ALGORITHM = "sha256"
MANIFEST = f"manifest-{ALGORITHM}.txt"
TAG_MANIFEST = f"tagmanifest-{ALGORITHM}.txt"
BAGIT_TXT = "bagit.txt"
BAG_INFO = "bag-info.txt"
PAYLOAD_DIR = "data"
#: Read and hash files in blocks of this many bytes.
BLOCK_BYTES = 1024 * 1024

#: RFC 8493 section 2.1.3: the only characters a manifest path percent-encodes.
_ENCODE = {"%": "%25", "\n": "%0A", "\r": "%0D"}
_DECODE = re.compile(r"%(25|0A|0D)", re.IGNORECASE)
_BAGIT_LINES = (f"BagIt-Version: {BAGIT_VERSION}", "Tag-File-Character-Encoding: UTF-8")
_OXUM = re.compile(r"^(\d+)\.(\d+)$")


def encode_path(path: str) -> str:
    """A bag-relative path as a manifest writes it (``%``, CR and LF percent-encoded)."""
    return "".join(_ENCODE.get(ch, ch) for ch in path)


def decode_path(text: str) -> str:
    """The path a manifest line names (the inverse of :func:`encode_path`)."""
    return _DECODE.sub(lambda m: chr(int(m.group(1), 16)), text)


def hash_file(path: str | os.PathLike[str]) -> tuple[str, int]:
    """(sha256 hex digest, size in bytes) of a file, read in :data:`BLOCK_BYTES` blocks."""
    digest = hashlib.new(ALGORITHM)
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK_BYTES):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


@dataclass(frozen=True)
class PayloadFile:
    """One file of a bag: its bag-relative path (``data/...``), sha256 and size in bytes."""

    path: str
    sha256: str
    size: int


def _manifest_text(files: list[PayloadFile]) -> bytes:
    return "".join(f"{f.sha256}  {encode_path(f.path)}\n" for f in sorted(files, key=lambda f: f.path)).encode("utf-8")


def _info_text(info: list[tuple[str, str]]) -> bytes:
    """``bag-info.txt``: one ``Label: value`` line each; values folded onto one line."""
    lines = []
    for label, value in info:
        if not label or ":" in label or label != label.strip() or any(ch.isspace() for ch in label):
            raise OutputError(f"invalid bag-info label {label!r}", where=BAG_INFO)
        lines.append(f"{label}: {' '.join(str(value).split())}\n")
    return "".join(lines).encode("utf-8")


@dataclass
class BagBuilder:
    """Builds a bag in ``root`` (a new, empty folder the caller later renames into place).

    Add payload with :meth:`copy_in` and :meth:`put` (paths relative to ``data/``), then
    :meth:`finish` writes the manifest, ``bagit.txt``, ``bag-info.txt`` (with Payload-Oxum) and
    the tag manifest.
    """

    root: Path
    payload: list[PayloadFile] = field(default_factory=list)

    def __post_init__(self) -> None:
        (self.root / PAYLOAD_DIR).mkdir(parents=True, exist_ok=False)

    def _target(self, rel: str) -> tuple[str, Path]:
        parts = PurePosixPath(rel).parts
        if not parts or PurePosixPath(rel).is_absolute() or any(p in ("", ".", "..") for p in parts):
            raise OutputError(f"invalid payload path {rel!r}", source=str(self.root))
        target = self.root / PAYLOAD_DIR / Path(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return f"{PAYLOAD_DIR}/{'/'.join(parts)}", target

    def copy_in(self, rel: str, source: str | os.PathLike[str]) -> PayloadFile:
        """Copy ``source`` to ``data/<rel>`` block by block, hashing as it goes."""
        name, target = self._target(rel)
        digest = hashlib.new(ALGORITHM)
        size = 0
        with open(source, "rb") as src, open(target, "xb") as dst:
            while block := src.read(BLOCK_BYTES):
                digest.update(block)
                dst.write(block)
                size += len(block)
        entry = PayloadFile(name, digest.hexdigest(), size)
        self.payload.append(entry)
        return entry

    def put(self, rel: str, data: bytes) -> PayloadFile:
        """Write ``data`` to ``data/<rel>``."""
        name, target = self._target(rel)
        with open(target, "xb") as dst:
            dst.write(data)
        entry = PayloadFile(name, hashlib.new(ALGORITHM, data).hexdigest(), len(data))
        self.payload.append(entry)
        return entry

    def add_written(self, rel: str, write: Callable[[Path], None]) -> PayloadFile:
        """Let ``write(path)`` create ``data/<rel>`` (e.g. copy a file, then patch it), then hash it."""
        name, target = self._target(rel)
        write(target)
        sha256, size = hash_file(target)
        entry = PayloadFile(name, sha256, size)
        self.payload.append(entry)
        return entry

    def finish(self, info: list[tuple[str, str]]) -> None:
        """Write the tag files.  ``info`` is bag-info.txt's metadata; Payload-Oxum is appended."""
        oxum = f"{sum(f.size for f in self.payload)}.{len(self.payload)}"
        tags = {
            BAGIT_TXT: "".join(line + "\n" for line in _BAGIT_LINES).encode("utf-8"),
            BAG_INFO: _info_text([*info, ("Payload-Oxum", oxum)]),
            MANIFEST: _manifest_text(self.payload),
        }
        for name, data in tags.items():
            (self.root / name).write_bytes(data)
        tagged = [PayloadFile(name, hashlib.new(ALGORITHM, data).hexdigest(), len(data)) for name, data in tags.items()]
        (self.root / TAG_MANIFEST).write_bytes(_manifest_text(tagged))
        _sync_tree(self.root)


def _sync_tree(root: Path) -> None:
    """Flush every file and folder under ``root`` to disk, so that once the bag is renamed into
    place a crash cannot leave it with missing or short files."""
    for folder, _, files in os.walk(root, topdown=False):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        sync_directory(Path(folder))


# --------------------------------------------------------------------------------------------
# verification


@dataclass(frozen=True)
class BagProblem:
    """One difference between a bag and its manifests: the bag-relative path and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class BagCheck:
    """The result of :func:`verify_bag`: every problem found and the number of files hashed."""

    bag: str
    problems: tuple[BagProblem, ...]
    files_checked: int

    @property
    def valid(self) -> bool:
        return not self.problems


def read_bag_info(bag: str | os.PathLike[str]) -> dict[str, str]:
    """``bag-info.txt`` as a dict (the first value of a repeated label; continuation lines joined)."""
    path = Path(bag) / BAG_INFO
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise CorruptFileError(f"cannot read: {exc}", source=str(path)) from None
    info: dict[str, str] = {}
    label = None
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and label is not None:
            info[label] += " " + line.strip()
        elif ":" in line:
            label, _, value = line.partition(":")
            label = label.strip()
            info.setdefault(label, value.strip())
    return info


def _parse_manifest(bag: Path, name: str) -> Iterator[tuple[int, str, str]]:
    """(line number, checksum, decoded path) of each manifest line."""
    try:
        text = (bag / name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CorruptFileError(f"cannot read: {exc}", source=str(bag / name)) from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        checksum, _, rest = line.strip().partition(" ")
        yield number, checksum.lower(), decode_path(rest.lstrip(" \t"))


def _inside(rel: str) -> bool:
    """Whether a manifest path stays inside the bag (relative, no ``..``, no backslashes)."""
    parts = PurePosixPath(rel).parts
    return bool(parts) and not PurePosixPath(rel).is_absolute() and ".." not in parts and "\\" not in rel


def _check_manifest(bag: Path, name: str) -> tuple[set[str], int, list[BagProblem]]:
    """Re-hash every file a manifest lists: (the paths listed, how many files were hashed, problems)."""
    listed: set[str] = set()
    hashed = 0
    problems: list[BagProblem] = []
    for number, checksum, rel in _parse_manifest(bag, name):
        if not rel:
            problems.append(BagProblem(f"{name}:{number}", "malformed line: no path after the checksum"))
            continue
        if not _inside(rel):
            problems.append(BagProblem(f"{name}:{number}", f"path {rel!r} points outside the bag"))
            continue
        listed.add(rel)
        target = bag / rel
        if not target.is_file():
            problems.append(BagProblem(rel, f"listed in {name} but missing"))
            continue
        actual, _ = hash_file(target)
        hashed += 1
        if actual != checksum:
            problems.append(BagProblem(rel, f"checksum mismatch: {name} says {checksum[:12]}..., the file has {actual[:12]}..."))
    return listed, hashed, problems


def _payload_files(bag: Path) -> list[str]:
    root = bag / PAYLOAD_DIR
    return sorted(p.relative_to(bag).as_posix() for p in root.rglob("*") if p.is_file() or p.is_symlink())


def _check_oxum(info: dict[str, str], files: list[str], bag: Path) -> list[BagProblem]:
    declared = info.get("Payload-Oxum")
    if declared is None:
        return []
    match = _OXUM.match(declared)
    if match is None:
        return [BagProblem(BAG_INFO, f"Payload-Oxum {declared!r} is not <bytes>.<files>")]
    size = sum((bag / f).stat().st_size for f in files if (bag / f).is_file())
    actual = f"{size}.{len(files)}"
    return [] if actual == declared else [BagProblem(BAG_INFO, f"Payload-Oxum says {declared}, the payload has {actual}")]


def verify_bag(bag: str | os.PathLike[str]) -> BagCheck:
    """Re-hash a bag against its manifests and report every difference.

    Checks: ``bagit.txt`` declares a version; every file the payload and tag manifests list
    exists and has the listed sha256; every payload file is listed; Payload-Oxum (if present)
    matches.  Problems are returned, not raised.

    Raises:
        CorruptFileError: ``bag`` is not a folder or has no ``bagit.txt`` (not a bag at all).
    """
    root = Path(bag)
    if not root.is_dir():
        raise CorruptFileError("not a folder, so not a BagIt bag", source=str(bag))
    if not (root / BAGIT_TXT).is_file():
        raise CorruptFileError(f"no {BAGIT_TXT}: not a BagIt bag", source=str(bag))
    problems: list[BagProblem] = []
    if not (root / BAGIT_TXT).read_text(encoding="utf-8", errors="replace").startswith("BagIt-Version:"):
        problems.append(BagProblem(BAGIT_TXT, "does not start with a BagIt-Version line"))
    listed: set[str] = set()
    checked = 0
    for name, required in ((MANIFEST, True), (TAG_MANIFEST, False)):
        if not (root / name).is_file():
            if required:
                problems.append(BagProblem(name, "missing (dawkit bags carry a sha256 payload manifest)"))
            continue
        paths, hashed, found = _check_manifest(root, name)
        problems.extend(found)
        checked += hashed
        if name == MANIFEST:
            listed = paths
    files = _payload_files(root)
    problems.extend(BagProblem(rel, f"in the payload but not listed in {MANIFEST}") for rel in files if rel not in listed)
    problems.extend(_check_oxum(read_bag_info(root), files, root))
    return BagCheck(str(bag), tuple(problems), checked)
