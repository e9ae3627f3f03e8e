"""elixir/mix-lock: osv-scalibr's mix.lock fixtures in place, a hand-made lock of every entry shape, junk."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.analyzers.api import Dependency, InputFile, Parsed
from shiftsec.analyzers.elixir.mix_lock import ANALYZER
from shiftsec.errors import ParseError
from tests.conftest import shared


def _scalibr(name: str) -> Parsed:
    path = shared("lockfiles", "osv-scalibr", "language", "elixir", "mixlock", "testdata", name)
    return ANALYZER.analyze(InputFile("mix.lock", path.read_bytes()))


@pytest.mark.parametrize(("path", "wanted"), [
    ("mix.lock", True), ("apps/web/mix.lock", True), ("mix.exs", False), ("Mix.lock", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


@pytest.mark.parametrize(("fixture", "expected", "notes"), [
    ("empty", set(), ()),
    ("valid", {("bunt@1.0.0", 2), ("certifi@2.12.0", 3)}, ()),
    ("invalid", {("bunt@1.0.0", 2)}, ("line 3: certifi is not a Hex package entry",)),  # "{:hex, }"
])
def test_scalibr_fixtures(fixture: str, expected: set[tuple[str, int]], notes: tuple[str, ...]) -> None:
    parsed = _scalibr(fixture)
    assert parsed.ecosystem == "Hex"
    assert {(dep.key, dep.line) for dep in parsed.packages} == expected
    assert parsed.notes == notes


def test_entry_shapes_and_edges() -> None:
    parsed = ANALYZER.analyze(InputFile("mix.lock", (Path(__file__).parent / "fixtures" / "mix.lock").read_bytes()))
    deps: dict[str, Dependency] = {dep.name: dep for dep in parsed.packages}
    assert {name: (dep.version, dep.depends_on) for name, dep in deps.items()} == {
        "castore": ("1.0.5", ()),
        "phoenix": ("1.7.10", ("castore@1.0.5", "jason@1.4.1")),
        "cowboy": ("1.0.4", ()),  # cowlib is not in the lock
        "jason": ("1.4.1", ()),
        "ex_doc": ("0.31.0", ("jason@1.4.1",)),  # the Hex package's name, not the app's (ex_doc_app)
    }
    assert all(dep.direct is None for dep in parsed.packages)
    assert parsed.notes == (
        "line 5: my_dep is a git dependency (https://github.com/x/y.git abc123def456)",
        "line 6: priv 0.1.0 comes from the private Hex repository hexpm:acme",
        "line 10: weird is not a Hex package entry",
    )


JUNK = [
    pytest.param(b'%{\n  "bunt": {:hex, :bunt, "1.0.0"', id="truncated"),
    pytest.param(b'%{"bunt": {:hex, :bunt, "1.0.0}}', id="unterminated-string"),
    pytest.param(b'[{:hex, :bunt, "1.0.0"}]', id="not-a-map"),
    pytest.param(b'%{"bunt" {:hex, :bunt, "1.0.0"}}', id="missing-arrow"),
    pytest.param(b'%{"a": 1} %{}', id="trailing-term"),
    pytest.param(b'%{"a": 1 2}', id="missing-comma"),
    pytest.param(b'%{"a": $}', id="bad-character"),
    pytest.param(b"System.cmd(\"rm\", [\"-rf\", \"/\"])", id="code-is-not-run"),
    pytest.param(b"%{" + b'"a": {' * 1000 + b"}" * 1000 + b"}", id="deep-nesting"),
    pytest.param(b"%{\xff\xfe\x00}", id="binary"),
    pytest.param(b'"' + b"a" * 50_000_000, id="50MB-line"),
]


@pytest.mark.parametrize("data", JUNK)
def test_broken_input_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError) as caught:
        ANALYZER.analyze(InputFile("mix.lock", data))
    assert "\n" not in str(caught.value)
