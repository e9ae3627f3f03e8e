"""dotnet/packages-lock-json: the shared osv-scalibr fixture in place, frameworks, edges, wrong types."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shiftsec.analyzers.api import InputFile, Parsed
from shiftsec.analyzers.dotnet.packages_lock_json import ANALYZER
from shiftsec.errors import ParseError
from tests.conftest import shared

FIXTURES = Path(__file__).parent / "fixtures"
SCALIBR = ("lockfiles", "osv-scalibr", "language", "dotnet", "packageslockjson", "testdata")


def _parse(data: bytes) -> Parsed:
    return ANALYZER.analyze(InputFile("packages.lock.json", data))


@pytest.mark.parametrize(
    ("path", "wanted"),
    [("packages.lock.json", True), ("src/App/packages.lock.json", True), ("package-lock.json", False)],
)
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


def test_scalibr_valid() -> None:
    parsed = _parse(shared(*SCALIBR, "valid", "packages.lock.json").read_bytes())
    assert parsed.ecosystem == "NuGet"
    by_name = {p.name: p for p in parsed.packages}
    assert len(by_name) == 8
    core = by_name["Core.Dep"]
    assert (core.version, core.direct) == ("1.24.0", True)
    assert "Some.Dep.Five@4.7.2" in core.depends_on  # the resolved version, not the 4.6.0 another entry asks for
    three = by_name["Some.Dep.Three"]
    assert (three.direct, three.depends_on) == (False, ("Some.Longer.Name.Dep@4.7.2", "Some.Dep.Five@4.7.2"))


def test_frameworks_merge_and_project_references_are_notes() -> None:
    parsed = _parse((FIXTURES / "packages.lock.json").read_bytes())
    assert {(p.name, p.version, p.direct) for p in parsed.packages} == {
        ("Serilog", "3.1.1", True),  # direct in net6.0, transitive in net8.0
        ("System.Memory", "4.5.5", True),
        ("Newtonsoft.Json", "13.0.3", False),  # CentralTransitive
    }
    serilog = next(p for p in parsed.packages if p.name == "Serilog")
    assert serilog.depends_on == ("System.Memory@4.5.5",)
    assert parsed.notes == ("my.library: project reference (a local project, not a NuGet package)",)


def test_empty_document() -> None:
    assert _parse(b'{"version": 1, "dependencies": {}}') == Parsed("NuGet", ())


BROKEN = {
    "not json": shared(*SCALIBR, "invalid", "invalid").read_bytes(),
    "truncated": b'{"version": 1, "dependencies": {"net6.0": {"A": {"type": "Direct", "reso',
    "top-level array": b"[]",
    "dependencies is a list": json.dumps({"dependencies": []}).encode(),
    "framework is a string": json.dumps({"dependencies": {"net6.0": "x"}}).encode(),
    "entry is a number": json.dumps({"dependencies": {"net6.0": {"A": 1}}}).encode(),
    "resolved is a number": json.dumps({"dependencies": {"net6.0": {"A": {"resolved": 1}}}}).encode(),
    "resolved missing": json.dumps({"dependencies": {"net6.0": {"A": {"type": "Direct"}}}}).encode(),
    "type is a list": json.dumps({"dependencies": {"net6.0": {"A": {"type": [], "resolved": "1"}}}}).encode(),
    "edges are a list": json.dumps({"dependencies": {"net6.0": {"A": {"resolved": "1", "dependencies": []}}}}).encode(),
    "binary junk": bytes(range(256)) * 64,
    "deep nesting": b"[" * 100_000,
    "50 MB single line": b"a" * (50 << 20),
}


@pytest.mark.parametrize("data", BROKEN.values(), ids=BROKEN.keys())
def test_broken_input_raises_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError) as info:
        _parse(data)
    assert "\n" not in str(info.value)
