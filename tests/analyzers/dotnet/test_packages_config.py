"""dotnet/packages-config: the shared osv-scalibr fixtures in place, dev flags, notes and broken input."""

from __future__ import annotations

import pytest

from shiftsec.analyzers.api import InputFile, Parsed
from shiftsec.analyzers.dotnet.packages_config import ANALYZER
from shiftsec.errors import ParseError
from tests.conftest import shared

SCALIBR = ("lockfiles", "osv-scalibr", "language", "dotnet", "packagesconfig", "testdata")
COMPILERS = "Microsoft.CodeDom.Providers.DotNetCompilerPlatform"


def _scalibr(name: str) -> Parsed:
    return ANALYZER.analyze(InputFile(f"testdata/{name}", shared(*SCALIBR, name).read_bytes()))


@pytest.mark.parametrize(
    ("path", "wanted"),
    [("packages.config", True), ("src/Web/packages.config", True), ("web.config", False), ("packages.json", False)],
)
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


@pytest.mark.parametrize(
    ("fixture", "packages", "notes"),
    [
        ("valid", {(COMPILERS, "1.0.0", False), ("Microsoft.Net.Compilers", "1.0.0", True)}, ()),
        ("noversion", {(COMPILERS, "1.0.0", False)}, ("Microsoft.Net.Compilers: no version",)),
        ("nopackage", {(COMPILERS, "1.0.0", False)}, ("package #2 has no id",)),
    ],
)
def test_scalibr_fixtures(fixture: str, packages: set[tuple[str, str, bool]], notes: tuple[str, ...]) -> None:
    parsed = _scalibr(fixture)
    assert parsed.ecosystem == "NuGet"
    assert {(p.name, p.version, p.dev) for p in parsed.packages} == packages
    assert parsed.notes == notes
    assert all(p.direct is True for p in parsed.packages)


def test_empty_and_ranges() -> None:
    assert ANALYZER.analyze(InputFile("packages.config", b"<packages/>")).packages == ()
    parsed = ANALYZER.analyze(
        InputFile(
            "packages.config",
            b'<packages><package id="A" version="[1.0,2.0)"/><package id="B" version="[3.1]"/></packages>',
        )
    )
    assert [(p.name, p.version) for p in parsed.packages] == [("B", "3.1")]
    assert parsed.notes == ("A: version '[1.0,2.0)' is not a pinned version",)


BROKEN = {
    "not xml": shared(*SCALIBR, "invalid").read_bytes(),
    "truncated": b'<?xml version="1.0"?><packages><package id="A" version="1',
    "other root": b"<configuration><appSettings/></configuration>",
    "binary junk": bytes(range(256)) * 64,
    "entity bomb": b'<!DOCTYPE p [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><packages>&b;</packages>',
    "50 MB single line": b"a" * (50 << 20),
}


@pytest.mark.parametrize("data", BROKEN.values(), ids=BROKEN.keys())
def test_broken_input_raises_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError) as info:
        ANALYZER.analyze(InputFile("packages.config", data))
    assert "\n" not in str(info.value)
