"""Every file of every shared corpus converts, with no exception but `InvalidRecord`, into valid OSV.

Besides "does not crash", each record must pass shiftsec's own OSV reader (`vulndb.osv.parse_advisory`),
have an RFC 3339 `modified`, an id unique across all corpora, and (except GHSA, which keeps the reference
converter's order) events sorted by version with an `introduced` opening every interval.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cmp_to_key
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from shiftsec.errors import InvalidRecord
from shiftsec.vulndb import versions
from shiftsec.vulndb.importers import alpine, ghsa, phpsec, rubysec, rustsec
from shiftsec.vulndb.osv import parse_advisory
from tests.conftest import shared

Converter = Callable[[str, bytes], list[dict[str, Any]]]

# corpus → (converter, root parts, glob patterns, expected InvalidRecord count, least number of files)
CORPORA: dict[str, tuple[Converter, tuple[str, ...], tuple[str, ...], int, int]] = {
    "rustsec": (rustsec.convert, ("advisories", "rustsec"), ("crates/**/*.md", "rust/**/*.md"), 0, 1200),
    "rubysec": (
        rubysec.convert,
        ("advisories", "ruby-advisory-db"),
        ("gems/**/*.yml", "rubies/**/*.yml"),
        0,
        1300,
    ),
    "phpsec": (phpsec.convert, ("advisories", "php-security-advisories"), ("**/*.yaml",), 0, 1500),
    "alpine": (alpine.convert, ("advisories", "alpine-secdb"), ("*/*.yaml",), 0, 18),
    "ghsa": (ghsa.convert, ("advisories", "osv-schema", "tools", "ghsa", "testdata"), ("*.json",), 0, 11),
}

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_SEEN_IDS: dict[str, str] = {}


def _files(root: Path, patterns: tuple[str, ...]) -> list[Path]:
    found = {p for pattern in patterns for p in root.glob(pattern) if p.is_file()}
    return sorted(p for p in found if not p.name.endswith(".osv.json"))


def _check_events(record: dict[str, Any]) -> list[str]:
    problems = []
    for entry in record["affected"]:
        for rng in entry["ranges"]:
            ordering = "SEMVER" if rng["type"] == "SEMVER" else entry["package"]["ecosystem"]
            values = [next(iter(e.values())) for e in rng["events"]]
            kinds = [next(iter(e)) for e in rng["events"]]

            def order(a: str, b: str, ordering: str = ordering) -> int:
                if a == "0" or b == "0":
                    return (b == "0") - (a == "0")
                return versions.compare(ordering, a, b)

            if values != sorted(values, key=cmp_to_key(order)) or any(
                order(a, b) == 0 for a, b in pairwise(values) if a != b
            ):
                problems.append(f"{record['id']}: events not sorted: {rng['events']}")
            expected = ["introduced" if i % 2 == 0 else kinds[1] for i in range(len(kinds))]
            if kinds != expected or (len(kinds) > 1 and kinds[1] not in ("fixed", "last_affected")):
                problems.append(f"{record['id']}: events do not alternate introduced/fixed: {rng['events']}")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("corpus", list(CORPORA))
def test_whole_corpus(corpus: str, capsys: pytest.CaptureFixture[str]) -> None:
    convert, root_parts, patterns, expected_invalid, least = CORPORA[corpus]
    files = _files(shared(*root_parts), patterns)
    assert len(files) >= least
    records = 0
    invalid: list[str] = []
    problems: list[str] = []
    for path in files:
        try:
            converted = convert(str(path), path.read_bytes())
        except InvalidRecord as exc:
            invalid.append(str(exc))
            continue
        for record in converted:
            records += 1
            parse_advisory(record)  # shiftsec's OSV reader accepts it (raises InvalidRecord otherwise)
            if not _RFC3339.match(record["modified"]):
                problems.append(f"{record['id']}: modified {record['modified']!r} is not RFC 3339")
            if record["id"] in _SEEN_IDS:
                problems.append(f"{record['id']}: duplicate id ({path} and {_SEEN_IDS[record['id']]})")
            _SEEN_IDS[record["id"]] = str(path)
            if corpus != "ghsa":
                problems += _check_events(record)
    with capsys.disabled():
        print(f"\n[{corpus}] files={len(files)} records={records} InvalidRecord={len(invalid)}")
        for reason in invalid:
            print(f"    {reason}")
    assert not problems, "\n".join(problems[:30])
    assert len(invalid) == expected_invalid, "\n".join(invalid)
