"""OSV record validation: real records pass, structurally broken ones are refused with a reason."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from shiftsec.errors import InvalidRecord
from shiftsec.vulndb.osv import parse_advisory
from tests.conftest import shared

LINTER = ("advisories", "osv-schema", "tools", "osv-linter", "testdata")

# The osv-linter corpus: the plain files are valid records; the prefixed ones break one linter rule each.
# Only "nointroduced" breaks the schema itself; "nondistinct" (duplicate entries) and "nopackage" (a name
# that is not on PyPI, which only an online check can tell) are well-formed records we must accept.
LINTER_CASES = [
    ("CVE-2018-5407.json", None),
    ("CVE-2023-41045.json", None),
    ("GHSA-9v2f-6vcg-3hgv.json", None),
    ("GO-2020-0001.json", None),
    ("GO-2024-2963.json", None),
    ("MAL-2024-10238.json", None),
    ("PYSEC-2023-74.json", None),
    ("RHSA-2022_0216.json", None),
    ("SUSE-FU-2022_0444-1.json", None),
    ("nondistinct-CVE-2018-5407.json", None),
    ("nopackage-GHSA-9v2f-6vcg-3hgv.json", None),
    ("nointroduced-CVE-2023-41045.json", "needs an 'introduced' event"),
]


@pytest.mark.parametrize(("name", "error"), LINTER_CASES, ids=[c[0] for c in LINTER_CASES])
def test_osv_linter_corpus(name: str, error: str | None) -> None:
    record = json.loads(shared(*LINTER, name).read_text())
    if error is None:
        adv = parse_advisory(record)
        assert adv.id == record["id"]
        assert adv.modified == record["modified"]
        assert len(adv.affected) == len(record.get("affected", []))
    else:
        with pytest.raises(InvalidRecord, match=error):
            parse_advisory(record)


def test_fields_are_carried_over() -> None:
    record = json.loads(shared(*LINTER, "GO-2020-0001.json").read_text())
    adv = parse_advisory(record)
    assert adv.aliases == tuple(record.get("aliases", ()))
    first = adv.affected[0]
    assert (first.ecosystem, first.name) == ("Go", record["affected"][0]["package"]["name"])
    raw_events = record["affected"][0]["ranges"][0]["events"]
    assert [e.kind for e in first.ranges[0].events] == [next(iter(e)) for e in raw_events]
    assert adv.references and adv.references[0].url == record["references"][0]["url"]


VALID: dict[str, Any] = {
    "id": "TEST-1",
    "modified": "2024-01-01T00:00:00Z",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "demo"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2"}]}],
        }
    ],
}


def _broken(path: str, value: Any) -> dict[str, Any]:
    record = copy.deepcopy(VALID)
    target: Any = record
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is _DELETE:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return record


_DELETE = object()
BROKEN = [
    ("missing id", _broken("id", _DELETE), "missing required field 'id'"),
    ("empty id", _broken("id", " "), "'id' is empty"),
    ("missing modified", _broken("modified", _DELETE), "missing required field 'modified'"),
    ("numeric modified", _broken("modified", 20240101), "'modified' must be a string"),
    ("aliases not a list", _broken("aliases", "CVE-1"), "'aliases' must be a list of strings"),
    ("affected not a list", _broken("affected", {"package": {}}), "'affected' must be a list of objects"),
    ("package without name", _broken("affected.0.package.name", _DELETE), "missing required field 'name'"),
    ("unknown range type", _broken("affected.0.ranges.0.type", "DATE"), "unknown range type 'DATE'"),
    ("no events", _broken("affected.0.ranges.0.events", []), "at least one event"),
    ("event with two keys", _broken("affected.0.ranges.0.events.1", {"fixed": "1", "limit": "2"}), "exactly one"),
    ("unknown event", _broken("affected.0.ranges.0.events.1", {"patched": "1"}), "unknown event 'patched'"),
    ("empty event value", _broken("affected.0.ranges.0.events.1", {"fixed": ""}), "non-empty string"),
    ("fixed and last_affected", _broken("affected.0.ranges.0.events", [{"introduced": "0"}, {"fixed": "1"},
                                                                       {"last_affected": "2"}]),
     "mutually exclusive"),
    ("git without repo", _broken("affected.0.ranges.0.type", "GIT"), "GIT range needs a 'repo'"),
    ("not an object", ["TEST-1"], "must be an object"),
]


@pytest.mark.parametrize(("record", "reason"), [(b[1], b[2]) for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_records_are_refused_with_reason(record: Any, reason: str) -> None:
    with pytest.raises(InvalidRecord, match=reason):
        parse_advisory(record)


def test_git_only_entry_may_omit_package() -> None:
    record = _broken("affected.0", {"ranges": [{"type": "GIT", "repo": "https://example.org/r.git",
                                                 "events": [{"introduced": "0"}]}]})
    assert parse_advisory(record).affected[0].name == ""
