"""golang/vendor-modules: osv-scalibr's vendor/modules.txt fixtures in place, a hand-made one, junk."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.analyzers.api import Dependency, InputFile, Parsed
from shiftsec.analyzers.golang.vendor_modules import ANALYZER
from shiftsec.errors import ParseError
from tests.conftest import shared


def _scalibr(case: str) -> Parsed:
    path = shared("lockfiles", "osv-scalibr", "language", "golang", "vendormodules", "testdata", case, "vendor",
                  "modules.txt")
    return ANALYZER.analyze(InputFile(f"{case}/vendor/modules.txt", path.read_bytes()))


def _by_name(parsed: Parsed) -> dict[str, Dependency]:
    return {dep.name: dep for dep in parsed.packages}


@pytest.mark.parametrize(("path", "wanted"), [
    ("vendor/modules.txt", True),
    ("path/to/vendor/modules.txt", True),
    ("modules.txt", False),
    ("path/to/modules.txt", False),
    ("path/to/vendor/modules.txt/file", False),
    ("path/to/vendor/modules.txt.bak", False),
    ("path/to/notvendor/modules.txt", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


def test_valid() -> None:
    parsed = _scalibr("valid")
    deps = _by_name(parsed)
    assert {(d.name, d.version, d.line) for d in parsed.packages} == {
        ("github.com/BurntSushi/toml", "1.2.1", 1),  # its second header adds nothing
        ("golang.org/x/crypto", "0.31.0", 4),
        ("example.com/fork/net", "1.4.5", 7),  # "old version => new version": the replacement
        ("example.com/local", "1.0.0", 10),  # "=> ./local" keeps the required module
        ("github.com/example/incompatible", "2.0.0+incompatible", 15),
        ("example.com/transitive", "0.2.0", 18),
        ("example.com/afterheaderonly", "0.3.0", 26),  # headeronly vendors no package: left out
        ("example.com/wildcard-fork", "0.2.0", 29),
    }
    assert deps["github.com/BurntSushi/toml"].direct is True
    assert deps["example.com/transitive"].direct is False  # "## implicit"
    assert parsed.notes == ("example.com/local v1.0.0 is vendored from the local directory ./local",)


@pytest.mark.parametrize("case", ["empty", "invalid"])
def test_nothing_valid(case: str) -> None:
    assert _scalibr(case) == Parsed("Go", ())


def test_explicit_and_module_checks() -> None:
    path = Path(__file__).parent / "fixtures" / "vendor-direct" / "vendor" / "modules.txt"
    parsed = ANALYZER.analyze(InputFile("vendor/modules.txt", path.read_bytes()))
    assert {(d.name, d.version, d.direct) for d in parsed.packages} == {
        ("github.com/BurntSushi/toml", "1.2.1", True),
        ("golang.org/x/sys", "0.1.0", False),
        ("gopkg.in/yaml.v3", "3.0.1", True),  # gopkg.in's .v3 wants a v3 version: v2.0.0 is skipped
        ("github.com/example/thing/v2", "2.1.0", True),  # /v3 with a v2 version is skipped
    }  # and github.com/example/plain v2.0.0 needs +incompatible


JUNK = [
    pytest.param(b"# golang.org/x/net v1.0.0\n\xff\xfe\x00", id="binary"),
    pytest.param(b"# golang.org/x/net v1.0.0\x00\n", id="nul"),
    pytest.param(b"# " + b"x" * 50_000_000, id="50MB-line"),
]


@pytest.mark.parametrize("data", JUNK)
def test_broken_input_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        ANALYZER.analyze(InputFile("vendor/modules.txt", data))


def test_truncated_file_keeps_what_it_vendors() -> None:
    data = b"# golang.org/x/net v1.0.0\n## explicit\ngolang.org/x/net/http2\n# golang.org/x/sys v0.1.0\n"
    parsed = ANALYZER.analyze(InputFile("vendor/modules.txt", data))
    assert [dep.key for dep in parsed.packages] == ["golang.org/x/net@1.0.0"]
