"""java/pom-xml: the shared osv-scalibr fixtures in place, and hand-made trees for parents, BOMs and notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.analyzers.api import InputFile, Parsed
from shiftsec.analyzers.java.pom_xml import ANALYZER
from shiftsec.errors import ParseError
from tests.analyzers.expected import input_file
from tests.conftest import shared

FIXTURES = Path(__file__).parent / "fixtures"
SCALIBR = ("lockfiles", "osv-scalibr", "language", "java", "pomxml")


def _fixture(root: str, path: str) -> Parsed:
    return ANALYZER.analyze(input_file(FIXTURES / root / path, FIXTURES / root))


def _scalibr(name: str) -> Parsed:
    root = shared(*SCALIBR)
    return ANALYZER.analyze(input_file(root / "testdata" / name, root))


def _versions(parsed: Parsed) -> dict[str, str]:
    return {p.name: p.version for p in parsed.packages}


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("pom.xml", True),
        ("a/b/pom.xml", True),
        ("pom.xml.bak", False),
        ("a/pom.xml/file", False),
        ("path.to.pom.xml", False),
        ("build.gradle", False),
    ],
)
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("empty.xml", {}),
        ("one-package.xml", {"org.apache.maven:maven-artifact": "1.0.0"}),
        ("encoding.xml", {"junit:junit": "4.12"}),  # iso-8859-1, namespaced
        ("with-dependency-management.xml", {"io.netty:netty-all": "4.1.9", "org.slf4j:slf4j-log4j12": "1.7.25"}),
        ("multi-version.xml", {"abc:example.com": "1.0.0"}),  # the first declaration wins, as in Maven
        ("profiles.xml", {"org.profile:profile-dep": "1.2.3"}),  # activeByDefault profile
        ("plugin-dependency.xml", {"com.example:hijack-lib": "1.0.0"}),  # plugin dependencies are not reported
        (
            "with-parent.xml",  # parent at ./parent/pom.xml: its dependency (dave) is inherited
            {"org.alice:alice": "1.0.0", "org.bob:bob": "2.0.0", "org.chuck:chuck": "3.0.0", "org.dave:dave": "4.0.0"},
        ),
    ],
)
def test_scalibr_fixtures(fixture: str, expected: dict[str, str]) -> None:
    parsed = _scalibr(fixture)
    assert parsed.ecosystem == "Maven"
    assert _versions(parsed) == expected
    assert all(p.direct is True for p in parsed.packages)


def test_scope_test_is_dev() -> None:
    parsed = _scalibr("with-scope.xml")
    assert {p.name: p.dev for p in parsed.packages} == {"abc:xyz": False, "junit:junit": True}


def test_parent_fixture_notes_what_it_cannot_resolve() -> None:
    notes = _scalibr("with-parent.xml").notes
    assert any("org.frank:frank: no version" in n for n in notes)
    assert any("imported BOM org.import:import:1.2.3 is not in the scan tree" in n for n in notes)
    assert any("parent org.upstream:parent-pom:1.0 is not in the scan tree" in n for n in notes)


def test_range_is_checked_at_its_floor_with_a_note() -> None:
    parsed = _scalibr("interpolation.xml")
    assert _versions(parsed) == {"org.mine:mypackage": "1.0.0", "org.mine:my.package": "2.3.4",
                                 "org.mine:ranged-package": "9.4.35.v20201120"}
    assert parsed.notes == (
        "org.mine:ranged-package: version '[9.4.35.v20201120,9.5)' is a range, not a pin: checked at its lowest "
        "allowed version 9.4.35.v20201120",
    )


@pytest.mark.parametrize(("version", "floor"), [("[1.0,2.0)", "1.0"), ("[1.0,)", "1.0"), ("(1.0,2.0)", None),
                                                ("(,2.0]", None), ("[1.0,2.0),[3.0,)", None), ("1.0", None)])
def test_range_floor(version: str, floor: str | None) -> None:
    from shiftsec.analyzers.java.pom_model import maven_range_floor

    assert maven_range_floor(version) == floor


def test_parent_two_folders_up_with_bom_and_property_chain() -> None:
    parsed = _fixture("tree", "services/api/pom.xml")
    assert _versions(parsed) == {
        "com.fasterxml.jackson.core:jackson-databind": "2.16.1",  # managed by the root, the child's property wins
        "junit:junit": "4.13",  # ${junit.major}.13, managed with scope test
        "org.yaml:snakeyaml": "1.33",  # from the BOM imported by the root
        "com.google.guava:guava": "32.0.0-jre",  # from the BOM, with the BOM's own property
        "org.slf4j:slf4j-api": "2.0.9",  # property of the middle parent
        "org.acme:acme-core": "1.0",  # ${project.groupId}:...:${project.version}, both inherited
        "org.example:exact": "1.5",  # [1.5] is a pin
        "org.example:ranged": "1.0",  # [1.0,2.0): checked at its floor
        "org.projectlombok:lombok": "1.18.30",  # declared by the root, inherited
    }
    dev = {p.name for p in parsed.packages if p.dev}
    assert dev == {"junit:junit"}
    assert set(parsed.notes) == {
        "imported BOM org.elsewhere:elsewhere-bom:7 is not in the scan tree: the versions it manages are unknown",
        "org.example:ranged: version '[1.0,2.0)' is a range, not a pin: checked at its lowest allowed version 1.0",
        "org.example:undefined: version property ${nobody.defines.this} is not defined",
        "org.example:unmanaged: no version (not managed by this pom or a parent or BOM in the tree)",
    }


def test_explicit_management_wins_over_an_imported_bom() -> None:
    # the BOM manages jackson-databind 2.0.0, the root manages it explicitly: Maven keeps the explicit entry
    assert _versions(_fixture("tree", "services/api/pom.xml"))["com.fasterxml.jackson.core:jackson-databind"] != "2.0.0"


def test_parent_loop_is_refused() -> None:
    parsed = _fixture("loop", "a/pom.xml")
    assert _versions(parsed) == {"org.loop:from-a": "3.0"}  # b's property, before the loop back to a
    assert any("a loop" in n for n in parsed.notes)


def test_parent_outside_the_tree_or_with_empty_relative_path() -> None:
    parsed = _fixture("orphan", "pom.xml")
    assert _versions(parsed) == {"org.mockito:mockito-core": "5.8.0"}
    assert parsed.notes == (
        "parent org.springframework.boot:spring-boot-starter-parent:3.2.0: empty relativePath, so not looked for "
        "in the scan tree",
        "org.springframework.boot:spring-boot-starter-web: no version (not managed by this pom or a parent or BOM "
        "in the tree)",
    )


def test_a_pom_that_is_not_the_declared_parent_is_ignored() -> None:
    parsed = _fixture("strangers", "child/pom.xml")
    assert parsed.packages == ()
    assert parsed.notes == (
        "parent org.wanted:the-parent:1: ../pom.xml is org.other:not-the-parent, not that parent",
        "org.example:lib: version property ${secret.version} is not defined",
    )


def test_parent_file_that_is_broken_is_a_note() -> None:
    child = b"""<project><parent><groupId>g</groupId><artifactId>p</artifactId><version>1</version></parent>
      <dependencies><dependency><groupId>a</groupId><artifactId>b</artifactId><version>2</version></dependency>
      </dependencies></project>"""
    parsed = ANALYZER.analyze(
        InputFile("m/pom.xml", child, lambda rel: b"<project><oops" if rel == "../pom.xml" else None)
    )
    assert _versions(parsed) == {"a:b": "2"}
    assert parsed.notes[0].startswith("../pom.xml ignored: invalid XML")


def test_property_expansion_bomb_is_a_note() -> None:
    props = "".join(f"<p{i}>${{p{i + 1}}}${{p{i + 1}}}</p{i}>" for i in range(40)) + "<p40>x</p40>"
    data = (
        f"<project><properties>{props}</properties><dependencies><dependency><groupId>a</groupId>"
        "<artifactId>b</artifactId><version>${p0}</version></dependency></dependencies></project>"
    ).encode()
    parsed = ANALYZER.analyze(InputFile("pom.xml", data))
    assert parsed.packages == ()
    assert "expands too far" in parsed.notes[0]


BROKEN = {
    "not xml": b"this is not a pom.xml file!",
    "invalid syntax": shared(*SCALIBR, "testdata", "invalid-syntax.xml").read_bytes(),
    "truncated": b"<project><dependencies><dependency><groupId>a</gr",
    "other root": b"<settings><servers/></settings>",
    "binary junk": bytes(range(256)) * 64,
    "entity bomb": b'<!DOCTYPE p [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><project>&b;</project>',
    "external entity": b'<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><project>&x;</project>',
    "50 MB single line": b"a" * (50 << 20),
    "empty": b"",
}


@pytest.mark.parametrize("data", BROKEN.values(), ids=BROKEN.keys())
def test_broken_input_raises_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError) as info:
        ANALYZER.analyze(InputFile("pom.xml", data))
    assert "\n" not in str(info.value)


def _chain_reader(depth: int) -> tuple[bytes, dict[str, bytes]]:
    """A pom whose parents go `depth` folders up, each one ../pom.xml of the one below."""

    def pom(level: int) -> bytes:
        parent = (
            f"<parent><groupId>g</groupId><artifactId>p{level + 1}</artifactId><version>1</version></parent>"
            if level < depth
            else ""
        )
        return (
            f"<project>{parent}<groupId>g</groupId><artifactId>p{level}</artifactId><version>1</version>"
            f"<properties><v{level}>{level}.0</v{level}></properties></project>".encode()
        )

    return pom(0), {"../" * level + "pom.xml": pom(level) for level in range(1, depth + 1)}


def test_parent_depth_is_bounded() -> None:
    data, tree = _chain_reader(15)
    data = data.replace(
        b"</project>",
        b"<dependencies><dependency><groupId>a</groupId><artifactId>b</artifactId><version>${v10}</version>"
        b"</dependency><dependency><groupId>a</groupId><artifactId>c</artifactId><version>${v12}</version>"
        b"</dependency></dependencies></project>",
    )
    parsed = ANALYZER.analyze(InputFile("pom.xml", data, tree.get))
    assert _versions(parsed) == {"a:b": "10.0"}  # ten parents are followed, the eleventh is not
    assert any("more than 10 parents" in n for n in parsed.notes)
    assert "a:c: version property ${v12} is not defined" in parsed.notes


def test_bom_importing_itself_is_not_followed_forever() -> None:
    bom = (
        b"<project><groupId>g</groupId><artifactId>bom</artifactId><version>1</version><dependencyManagement>"
        b"<dependencies><dependency><groupId>g</groupId><artifactId>bom</artifactId><version>1</version>"
        b"<type>pom</type><scope>import</scope></dependency><dependency><groupId>x</groupId>"
        b"<artifactId>y</artifactId><version>9</version></dependency></dependencies></dependencyManagement></project>"
    )
    app = (
        b"<project><dependencyManagement><dependencies><dependency><groupId>g</groupId><artifactId>bom</artifactId>"
        b"<version>1</version><type>pom</type><scope>import</scope></dependency></dependencies>"
        b"</dependencyManagement><dependencies><dependency><groupId>x</groupId><artifactId>y</artifactId>"
        b"</dependency></dependencies></project>"
    )
    parsed = ANALYZER.analyze(InputFile("app/pom.xml", app, {"../bom/pom.xml": bom}.get))
    assert _versions(parsed) == {"x:y": "9"}
    assert any("loop" in n for n in parsed.notes)
