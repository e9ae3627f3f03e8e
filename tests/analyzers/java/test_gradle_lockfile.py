"""java/gradle-lockfile: the shared osv-scalibr fixtures in place, plus test-only configurations and junk."""

from __future__ import annotations

import pytest

from shiftsec.analyzers.api import InputFile, Parsed
from shiftsec.analyzers.java.gradle_lockfile import ANALYZER
from shiftsec.errors import ParseError
from tests.conftest import shared

SCALIBR = ("lockfiles", "osv-scalibr", "language", "java", "gradlelockfile", "testdata")


def _scalibr(name: str) -> Parsed:
    return ANALYZER.analyze(InputFile(f"testdata/{name}", shared(*SCALIBR, name).read_bytes()))


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("gradle.lockfile", True),
        ("app/gradle.lockfile", True),
        ("app/buildscript-gradle.lockfile", True),
        ("gradle.lockfile.orig", False),
        ("gradle/dependency-locks/compileClasspath.lockfile", False),
        ("build.gradle", False),
    ],
)
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


@pytest.mark.parametrize(
    ("fixture", "count", "first"),
    [
        ("only-comments", 0, None),
        ("only-empty", 0, None),
        ("one-pkg", 1, ("org.springframework.security:spring-security-crypto", "5.7.3", 4)),
        ("5-pkg", 5, ("org.springframework.boot:spring-boot-autoconfigure", "2.7.4", 5)),
        ("with-bad-pkg", 2, ("org.springframework.boot:spring-boot-autoconfigure", "2.7.4", 7)),
    ],
)
def test_scalibr_fixtures(fixture: str, count: int, first: tuple[str, str, int] | None) -> None:
    parsed = _scalibr(fixture)
    assert parsed.ecosystem == "Maven"
    assert len(parsed.packages) == count
    if first is not None:
        head = parsed.packages[0]
        assert (head.name, head.version, head.line) == first
        assert head.direct is None and not head.dev


def test_bad_lines_become_notes() -> None:
    assert _scalibr("with-bad-pkg").notes == (
        "line 3: not a group:artifact:version entry: '>>>'",
        "line 4: not a group:artifact:version entry: '////'",
        "line 9: not a group:artifact:version entry: 'a'",
        "line 10: not a group:artifact:version entry: 'b'",
    )


def test_only_test_configurations_mean_dev() -> None:
    data = b"""# lockfile
junit:junit:4.13.2=testCompileClasspath,testRuntimeClasspath
org.mockito:mockito-core:5.8.0=androidTestDebugRuntimeClasspath,debugUnitTestRuntimeClasspath
com.google.guava:guava:32.1.3-jre=compileClasspath,testCompileClasspath
org.latest:thing:1.0=latestRuntime
org.old:per-configuration:2.0
empty=annotationProcessor
"""
    parsed = ANALYZER.analyze(InputFile("gradle.lockfile", data))
    assert {(p.name, p.version, p.dev) for p in parsed.packages} == {
        ("junit:junit", "4.13.2", True),
        ("org.mockito:mockito-core", "5.8.0", True),
        ("com.google.guava:guava", "32.1.3-jre", False),
        ("org.latest:thing", "1.0", False),
        ("org.old:per-configuration", "2.0", False),
    }
    assert parsed.notes == ()


def test_crlf_and_bom() -> None:
    parsed = ANALYZER.analyze(InputFile("gradle.lockfile", b"\xef\xbb\xbfa:b:1.0=runtimeClasspath\r\nempty=\r\n"))
    assert [(p.name, p.version, p.line) for p in parsed.packages] == [("a:b", "1.0", 1)]


BROKEN = {
    "binary junk": bytes(range(256)) * 64,
    "nul bytes": b"a:b:1.0=compileClasspath\x00\x00",
    "latin-1": b"a:b:1.0=caf\xe9\n",
    "50 MB single line": b"a" * (50 << 20),
}


@pytest.mark.parametrize("data", BROKEN.values(), ids=BROKEN.keys())
def test_broken_input_raises_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError) as info:
        ANALYZER.analyze(InputFile("gradle.lockfile", data))
    assert "\n" not in str(info.value)


def test_empty_file_is_empty() -> None:
    assert ANALYZER.analyze(InputFile("gradle.lockfile", b"")) == Parsed("Maven", ())
