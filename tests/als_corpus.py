"""The real Live Sets in ``../shared/corpus/als`` (never copied into the repo) and their manifest.

Tests that need them use :data:`needs_corpus`; without ``../shared`` they skip with the reason.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "als"
MANIFEST: dict[str, dict[str, str]] = (
    {row["file"]: row for row in csv.DictReader((CORPUS / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t")}
    if (CORPUS / "MANIFEST.tsv").is_file()
    else {}
)
needs_corpus = pytest.mark.skipif(
    not MANIFEST, reason=f"Live Set corpus not found at {CORPUS} (the shared test files are not in the repo)"
)


def corpus_files(*provenances: str) -> list[str]:
    """Corpus file names, optionally only those whose provenance includes one of ``provenances``."""
    return sorted(
        name
        for name, row in MANIFEST.items()
        if not provenances or set(row["provenance"].split(";")) & set(provenances)
    )


def corpus_path(name: str) -> Path:
    """The path of a corpus file."""
    return CORPUS / name
