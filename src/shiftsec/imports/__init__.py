"""Reading other tools' results into shiftsec's finding model (`--import FILE`), and merging duplicates.

    read_results(path, root=None) -> Imported     read a file, detect its format, map its entries to findings
    read_data(data, name, root=None) -> Imported  the same for bytes or text already in memory (pure)
    detect(doc) -> str | None                      which format a parsed JSON document is
    merge(findings) -> list[Finding]               one finding per issue, `sources` the tools that reported it

One module per format, each a pure `read(data, name, root) -> Imported`: `sarif` (SARIF 2.1.0 from any tool),
`gitleaks` (JSON report), `trivy` (JSON, SchemaVersion 2), `bandit` (JSON), `semgrep` (JSON); `_common` holds
what they share and `merge` the deduplication. A file that is not one of these formats, or not valid JSON,
raises `shiftsec.errors.ParseError` (a one-line message naming the file; the CLI exits 2); a single unusable
entry becomes a `ScanError` (kind "import") in `Imported.errors` and the rest is still read. No secret value
is ever kept in a finding. docs/importing.md documents the formats and the mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shiftsec.errors import ParseError
from shiftsec.imports import bandit, gitleaks, sarif, semgrep, trivy
from shiftsec.imports._common import Imported, load_json
from shiftsec.imports.merge import merge

__all__ = ["FORMATS", "Imported", "detect", "merge", "read_data", "read_results"]

# Checked in this order: SARIF and Trivy have unmistakable top-level keys; Bandit and Semgrep both have a
# `results` array and are told apart by their entries (test_id / check_id) or, when empty, by their other keys.
_DETECTORS: tuple[tuple[str, Callable[[Any], bool]], ...] = (
    ("sarif", sarif.looks_like),
    ("trivy", trivy.looks_like),
    ("gitleaks", gitleaks.looks_like),
    ("bandit", bandit.looks_like),
    ("semgrep", semgrep.looks_like),
)
_READERS: Mapping[str, Callable[[Any, str, str | None], Imported]] = {
    "sarif": sarif.from_document,
    "trivy": trivy.from_document,
    "gitleaks": gitleaks.from_document,
    "bandit": bandit.from_document,
    "semgrep": semgrep.from_document,
}
FORMATS = tuple(name for name, _ in _DETECTORS)


def detect(doc: Any) -> str | None:
    """The format of a parsed JSON document (one of `FORMATS`), or None when it is none of them."""
    return next((name for name, looks_like in _DETECTORS if looks_like(doc)), None)


def read_data(data: bytes | str, name: str, root: str | None = None) -> Imported:
    """Detect the format of `data` (the content of the file `name`) and read it. `root`, when given, is the
    scanned directory: absolute paths under it become relative. Raises ParseError for an unknown format."""
    doc = load_json(data, name)
    kind = detect(doc)
    if kind is None:
        raise ParseError(
            f"{name}: not a results file shiftsec can import (expected SARIF 2.1.0, or the JSON report of "
            "gitleaks, Trivy, Bandit or Semgrep)"
        )
    return _READERS[kind](doc, name, root)


def read_results(path: str, root: str | None = None) -> Imported:
    """Read the results file at `path` (see `read_data`); ParseError naming the file when it cannot be read."""
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as exc:
        raise ParseError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return read_data(data, path, root)
