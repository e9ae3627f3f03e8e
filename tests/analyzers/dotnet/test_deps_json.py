"""dotnet/deps-json: the shared osv-scalibr fixtures in place, library types, edges, wrong types."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shiftsec.analyzers.api import InputFile, Parsed
from shiftsec.analyzers.dotnet.deps_json import ANALYZER
from shiftsec.errors import ParseError
from tests.conftest import shared

FIXTURES = Path(__file__).parent / "fixtures"
SCALIBR = ("lockfiles", "osv-scalibr", "language", "dotnet", "depsjson", "testdata")
DI = "Microsoft.Extensions.DependencyInjection"


def _parse(data: bytes) -> Parsed:
    return ANALYZER.analyze(InputFile("app.deps.json", data))


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("App.deps.json", True),
        ("bin/Release/net6.0/App.deps.json", True),
        ("deps.json.bak", False),
        ("App.json", False),
    ],
)
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


@pytest.mark.parametrize(
    ("fixture", "packages", "notes"),
    [
        (
            "valid",
            {("TestLibrary", "1.0.0", None), ("AWSSDK.Core", "3.7.10.6", False), (DI, "6.0.0", True)},
            (),
        ),
        (
            "nopackagename",
            {("TestLibrary", "1.0.0", None), ("AWSSDK.Core", "3.7.10.6", False)},
            (f"{DI}: library key is not 'Name/Version'",),
        ),
        ("empty", set(), ()),
    ],
)
def test_scalibr_fixtures(fixture: str, packages: set[tuple[str, str, bool | None]], notes: tuple[str, ...]) -> None:
    parsed = _parse(shared(*SCALIBR, fixture).read_bytes())
    assert parsed.ecosystem == "NuGet"
    assert {(p.name, p.version, p.direct) for p in parsed.packages} == packages
    assert parsed.notes == notes


def test_project_edges_in_the_scalibr_fixture() -> None:
    parsed = _parse(shared(*SCALIBR, "valid").read_bytes())
    project = next(p for p in parsed.packages if p.name == "TestLibrary")
    assert project.depends_on == (f"{DI}@6.0.0",)  # the other dependencies have no library entry


def test_runtime_pack_reference_and_edges() -> None:
    parsed = _parse((FIXTURES / "app.deps.json").read_bytes())
    by_name = {p.name: p for p in parsed.packages}
    assert set(by_name) == {"App", "Microsoft.NETCore.App.Runtime.linux-x64", "Serilog", "System.Memory"}
    assert by_name["App"].depends_on == ("Serilog@3.1.1", "Microsoft.NETCore.App.Runtime.linux-x64@6.0.5")
    assert by_name["Microsoft.NETCore.App.Runtime.linux-x64"].direct is True
    assert by_name["Serilog"].depends_on == ("System.Memory@4.5.5",)
    assert by_name["System.Memory"].direct is False
    assert parsed.notes == ("System.Xml.Legacy/4.0.0.0: library of type 'reference' is not a NuGet package",)


BROKEN = {
    "not json": shared(*SCALIBR, "invalid").read_bytes(),
    "truncated": b'{"libraries": {"A/1.0": {"type": "pack',
    "top-level string": b'"deps"',
    "libraries is a list": json.dumps({"libraries": []}).encode(),
    "library is null": json.dumps({"libraries": {"A/1.0": None}}).encode(),
    "type is a number": json.dumps({"libraries": {"A/1.0": {"type": 3}}}).encode(),
    "targets is a string": json.dumps({"targets": "x"}).encode(),
    "target entry is a list": json.dumps({"targets": {"net6.0": {"A/1.0": []}}}).encode(),
    "edge version is a number": json.dumps({"targets": {"t": {"A/1.0": {"dependencies": {"B": 1}}}}}).encode(),
    "binary junk": bytes(range(256)) * 64,
    "utf-16": '{"libraries": {}}'.encode("utf-16"),
    "50 MB single line": b"{" * (50 << 20),
}


@pytest.mark.parametrize("data", BROKEN.values(), ids=BROKEN.keys())
def test_broken_input_raises_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError) as info:
        _parse(data)
    assert "\n" not in str(info.value)
