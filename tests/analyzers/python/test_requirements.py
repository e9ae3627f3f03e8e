"""python/requirements: pins, includes, constraints, notes, and what is refused."""

from __future__ import annotations

import pytest

from shiftsec.analyzers.api import Dependency, ParseError
from shiftsec.analyzers.python.requirements import ANALYZER
from tests.analyzers.python.helpers import JUNK, fixture, memory, pairs, scalibr


@pytest.mark.parametrize(("path", "wanted"), [
    ("requirements.txt", True),
    ("app/requirements-dev.txt", True),
    ("RsaCtfTool/optional-requirements.txt", True),
    ("requirements/base.txt", True),
    ("src/Requirements.TXT", True),
    ("requirements-asdf/test.txt", False),
    ("yolo-txt/requirements.md", False),
    ("requirements.in", False),
    ("docs/notes.txt", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


# One line of a requirements file -> (packages as (name, version, line), notes).
LINES: list[tuple[str, str, set[tuple[str, str, int]], list[str]]] = [
    ("pin", "a==1.0", {("a", "1.0", 1)}, []),
    ("arbitrary equality", "a===1.0-custom", {("a", "1.0-custom", 1)}, []),
    ("name as written", "Flask_SQLAlchemy == 3.0", {("Flask_SQLAlchemy", "3.0", 1)}, []),
    ("extras and marker kept", 'a[x,y]==2 ; python_version < "3"', {("a", "2", 1)}, []),
    ("hash options", "a==1 --hash=sha256:00 --hash=sha256:11", {("a", "1", 1)}, []),
    ("continuation", "\n\na==1 \\\n  --hash=sha256:00\nb==2", {("a", "1", 3), ("b", "2", 5)}, []),
    ("trailing backslash at the end", "a==1 \\", {("a", "1", 1)}, []),
    ("comment", "# c\na==1  # trailing", {("a", "1", 2)}, []),
    ("a # glued to text is not a comment", "a==1 --hash=sha256:x;#", {("a", "1", 1)}, []),
    ("pin and a compatible bound", "a==1.5,>=1", {("a", "1.5", 1)}, []),
    ("range", "a>=1", {("a", "1", 1)}, ["line 1: a>=1 is a range, not a pin: checked at its lowest allowed version 1"]),
    ("compatible release", "a~=1.1", {("a", "1.1", 1)},
     ["line 1: a~=1.1 is a range, not a pin: checked at its lowest allowed version 1.1"]),
    ("range with an upper bound", "a>=1.2,<2", {("a", "1.2", 1)},
     ["line 1: a<2,>=1.2 is a range, not a pin: checked at its lowest allowed version 1.2"]),
    ("upper bound only", "a<=1.2.3", {("a", "1.2.3", 1)},
     ["line 1: a<=1.2.3 is a range, not a pin: checked at its lowest allowed version 1.2.3"]),
    ("wildcard", "a==1.*", set(), ["line 1: a==1.* names no version to check — not matched"]),
    ("exclusion only", "a!=1.0", set(), ["line 1: a!=1.0 names no version to check — not matched"]),
    ("no version", "\na", set(), ["line 2: a has no version — not matched"]),
    ("editable", "-e ./src", set(), ["line 1: editable install ./src — not matched"]),
    ("editable long form", "--editable=git+https://x/y#egg=y", set(),
     ["line 1: editable install git+https://x/y#egg=y — not matched"]),
    ("direct URL", "a @ https://x/a-1.0.zip", set(), ["line 1: URL requirement a @ https://x/a-1.0.zip — not matched"]),
    ("bare URL", "https://x/a-1.0.whl", set(), ["line 1: URL requirement https://x/a-1.0.whl — not matched"]),
    ("path", "./dist/a-1.0.whl", set(), ["line 1: path requirement ./dist/a-1.0.whl — not matched"]),
    ("environment variable", "a==${A_VERSION}", set(),
     ["line 1: uses an environment variable: a==${A_VERSION} — not matched"]),
    ("invalid", "a 1.0", set(), ["line 1: not a valid requirement: a 1.0 — not matched"]),
    ("text before options", "a==1.0 junk --hash=sha256:1", set(),
     ["line 1: not a valid requirement: a==1.0 junk — not matched"]),
    ("global options are silent", "--index-url https://x\n-i https://y\n--pre\n--require-hashes", set(), []),
    ("unknown option", "--frobnicate", set(), ["line 1: unknown option --frobnicate — ignored"]),
    ("missing include", "-r other.txt", set(), ["line 1: requirements file other.txt not found — not read"]),
    ("remote include", "-r https://x/r.txt", set(),
     ["line 1: requirements file https://x/r.txt is not local — not read"]),
    ("include without a name", "-r", set(), ["line 1: -r without a file name"]),
]


@pytest.mark.parametrize(("source", "packages", "notes"), [case[1:] for case in LINES], ids=[c[0] for c in LINES])
def test_lines(source: str, packages: set[tuple[str, str, int]], notes: list[str]) -> None:
    parsed = ANALYZER.analyze(memory("requirements.txt", source))
    assert parsed.ecosystem == "PyPI"
    assert {(p.name, p.version, p.line) for p in parsed.packages} == packages
    assert all(p.direct is True and p.dev is False and p.depends_on == () for p in parsed.packages)
    assert list(parsed.notes) == notes


def test_fixture_tree_with_includes_constraints_and_notes() -> None:
    parsed = ANALYZER.analyze(fixture("requirements/requirements.txt"))
    assert set(parsed.packages) == {
        Dependency("six", "1.16.0", direct=True, line=2),  # from base.txt, through the -r on line 2
        Dependency("idna", "3.4", direct=True, line=2),  # base.txt -> nested/more.txt (-r ../base.txt: a loop)
        Dependency("Django", "4.2.1", direct=True, line=5),
        Dependency("requests", "2.31.0", direct=True, line=8),
        Dependency("celery", "5.3.1", direct=True, line=9),  # celery>=5.0, pinned by constraints.txt
        Dependency("urllib3", "2.0.7", direct=True, line=10),  # unversioned, pinned by constraints.txt
        Dependency("attrs", "23.1.0", direct=True, line=16),
    }
    assert parsed.notes == (
        "line 11: editable install ./src — not matched",
        "line 12: URL requirement git+https://github.com/pallets/flask.git#egg=flask — not matched",
        "line 13: path requirement ./wheels/numpy-1.26.0-cp311-none-any.whl — not matched",
        "line 14: uses an environment variable: pyyaml==${PYYAML_VERSION} — not matched",
        "line 15: requirements file missing.txt not found — not read",
        "line 17: coverage!=7.0 names no version to check — not matched",
    )


def test_dev_file_marks_its_own_lines_only() -> None:
    parsed = ANALYZER.analyze(fixture("requirements/requirements-dev.txt"))
    dev = {p.name for p in parsed.packages if p.dev}
    assert dev == {"pytest"}
    assert {p.name: p.line for p in parsed.packages}["Django"] == 1  # the -r line of the dev file
    assert "requirements.txt line 11: editable install ./src — not matched" in parsed.notes


@pytest.mark.parametrize("path", ["requirements/test.txt", "dev-requirements.txt", "requirements_lint.txt"])
def test_dev_by_file_name(path: str) -> None:
    assert all(p.dev for p in ANALYZER.analyze(memory(path, "a==1")).packages)


def test_include_loop_and_nested_relative_paths() -> None:
    siblings = {"reqs/requirements.txt": "-r sub/b.txt\na==1",
                "reqs/sub/b.txt": "b==2\n-r ../requirements.txt\n-r c.txt",
                "reqs/sub/c.txt": "c==3\n-r b.txt"}
    parsed = ANALYZER.analyze(memory("reqs/requirements.txt", siblings["reqs/requirements.txt"], siblings))
    assert pairs(parsed) == {("a", "1"), ("b", "2"), ("c", "3")}
    assert parsed.notes == ()


def test_constraints_only_pin_what_is_required() -> None:
    siblings = {"c.txt": "a==1\nb==2\nd>=1"}
    parsed = ANALYZER.analyze(memory("requirements.txt", "-c c.txt\na\nd", siblings))
    assert pairs(parsed) == {("a", "1")}
    assert parsed.notes == ("line 3: d has no version — not matched",)


@pytest.mark.parametrize(("name", "wanted"), [
    ("comments.txt",
     {("PyCrypto", "1.2-alpha"), ("GMPY2", "1"), ("SymPy", "1.2"), ("requests", "1.0"), ("six", "1.2")}),
    ("extras.txt", {("pyjwt", "2.1.0"), ("celery", "4.4.7")}),
    ("multiline_and_comments.txt", {("pkgA", "1.0"), ("pkgB", "2.0")}),
    # pandas: -r other-requirements.txt; keyring >= 4.1.1 and Mopidy-Dirble ~= 1.1 checked at their lower bounds;
    # requests [security] >= 2.8.1, == 2.8.* uses a wildcard: left out
    ("example.txt", {("docopt", "0.6.1"), ("pandas", "2.2.3"), ("keyring", "4.1.1"), ("Mopidy-Dirble", "1.1")}),
    ("loop.txt", set()),
])
def test_shared_happy(name: str, wanted: set[tuple[str, str]]) -> None:
    assert pairs(ANALYZER.analyze(scalibr("requirements", name))) == wanted


@pytest.mark.parametrize("source", [b"", b"\n\n", b"# only a comment\n", b"\xef\xbb\xbf"])
def test_empty(source: bytes) -> None:
    parsed = ANALYZER.analyze(memory("requirements.txt", source))
    assert parsed.packages == () and parsed.notes == ()


@pytest.mark.parametrize("data", [*JUNK.values(), b"a==1 \\\n" * 20_000], ids=[*JUNK, "huge continued line"])
def test_broken(data: bytes) -> None:
    with pytest.raises(ParseError):
        ANALYZER.analyze(memory("requirements.txt", data))


def test_unreadable_include_is_a_note() -> None:
    parsed = ANALYZER.analyze(memory("requirements.txt", "-r bin.txt\na==1", {"bin.txt": b"\x00\x01"}))
    assert pairs(parsed) == {("a", "1")}
    assert parsed.notes == ("line 1: requirements file bin.txt not read: binary data (NUL bytes), not a text file",)
