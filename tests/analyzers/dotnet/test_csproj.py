"""dotnet/csproj: the shared osv-scalibr fixtures in place, properties, Central Package Management, notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.analyzers.api import InputFile, Parsed
from shiftsec.analyzers.dotnet.csproj import ANALYZER
from shiftsec.errors import ParseError
from tests.analyzers.expected import input_file
from tests.conftest import shared

FIXTURES = Path(__file__).parent / "fixtures"
SCALIBR = ("lockfiles", "osv-scalibr", "language", "dotnet", "csproj", "testdata")


def _scalibr(name: str) -> Parsed:
    return ANALYZER.analyze(InputFile(f"testdata/{name}", shared(*SCALIBR, name).read_bytes()))


def _fixture(root: str, path: str) -> Parsed:
    return ANALYZER.analyze(input_file(FIXTURES / root / path, FIXTURES / root))


def _table(parsed: Parsed) -> set[tuple[str, str, bool]]:
    return {(p.name, p.version, p.dev) for p in parsed.packages}


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("App.csproj", True),
        ("src/App/App.csproj", True),
        ("src/Lib/Lib.fsproj", True),
        ("src/Old/Old.vbproj", True),
        ("App.csproj.user", False),
        ("Directory.Packages.props", False),
        ("App.sln", False),
    ],
)
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


@pytest.mark.parametrize(
    ("fixture", "packages", "notes"),
    [
        ("valid", {("LiteDB", "5.0.12", False)}, ()),
        ("emptyinclude", set(), ("a PackageReference names no package",)),
        ("nopackage", set(), ("a PackageReference names no package",)),
        ("emptyversion", set(), ("LiteDB: empty version",)),
        (
            "noversion",
            set(),
            ("LiteDB: no version, in the reference or in a Directory.Packages.props in the scan tree",),
        ),
    ],
)
def test_scalibr_fixtures(fixture: str, packages: set[tuple[str, str, bool]], notes: tuple[str, ...]) -> None:
    parsed = _scalibr(fixture)
    assert parsed.ecosystem == "NuGet"
    assert _table(parsed) == packages
    assert parsed.notes == notes
    assert all(p.direct is True for p in parsed.packages)


def test_properties_pins_and_private_assets() -> None:
    parsed = _fixture(".", "properties.csproj")  # old-style namespaced project file
    assert _table(parsed) == {
        ("Microsoft.AspNetCore.Mvc.Testing", "8.0.1", False),  # the unconditional property wins
        ("Microsoft.EntityFrameworkCore", "8.0.1", False),  # <Version> child, property of a property
        ("Exact", "2.0.0", False),  # [2.0.0] is a pin
        ("Coverlet.Collector", "6.0.0", True),  # <PrivateAssets>all</PrivateAssets>
    }
    assert parsed.notes == (
        "Undefined.Prop: version property $(Nope) is not defined",
        "Ranged: version '[1.0,2.0)' is a range or floating version, not a pin",
        "Floating: version '6.*' is a range or floating version, not a pin",
    )


def test_central_package_management_two_folders_up() -> None:
    parsed = _fixture("cpm", "src/App/App.csproj")
    assert _table(parsed) == {
        ("Newtonsoft.Json", "13.0.3", False),
        ("Serilog", "3.1.1", False),  # $(SerilogVersion) from the props file
        ("xunit", "2.6.0", False),  # VersionOverride beats the central 2.5.0
        ("StyleCop.Analyzers", "1.1.118", True),  # PrivateAssets="all"
    }
    assert parsed.notes == (
        "Polly: version property $(PollyVersion) is not defined",
        "Not.Central: no version, in the reference or in ../../Directory.Packages.props",
    )


def test_central_props_importing_the_one_above() -> None:
    parsed = _fixture("cpm-nested", "sub/Lib/Lib.csproj")
    assert _table(parsed) == {("Dapper", "2.1.24", False), ("AutoMapper", "13.0.1", False)}  # nearest wins


def test_broken_central_props_is_a_note() -> None:
    project = b'<Project><ItemGroup><PackageReference Include="A" /></ItemGroup></Project>'
    parsed = ANALYZER.analyze(
        InputFile("p/A.csproj", project, lambda rel: b"<Project><oops" if rel == "Directory.Packages.props" else None)
    )
    assert parsed.packages == ()
    assert parsed.notes[0] == "A: no version, in the reference or in a Directory.Packages.props in the scan tree"
    assert parsed.notes[1].startswith("Directory.Packages.props ignored: invalid XML")


BROKEN = {
    "not xml": shared(*SCALIBR, "invalid").read_bytes(),
    "truncated": b'<Project Sdk="Microsoft.NET.Sdk"><ItemGroup><PackageReference Include="Lite',
    "other root": b"<packages><package id='a' version='1'/></packages>",
    "binary junk": bytes(range(256)) * 64,
    "entity bomb": b'<!DOCTYPE p [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><Project>&b;</Project>',
    "50 MB single line": b"<" + b"a" * (50 << 20),
}


@pytest.mark.parametrize("data", BROKEN.values(), ids=BROKEN.keys())
def test_broken_input_raises_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError) as info:
        ANALYZER.analyze(InputFile("App.csproj", data))
    assert "\n" not in str(info.value)
