"""Property: the OSV events a converter writes describe exactly the versions its source calls affected.

For every rubysec and RustSec advisory in the shared corpora, and for probe versions around every version the
advisory's requirements mention, "affected by the OSV ranges" (a small evaluator of the OSV algorithm,
https://ossf.github.io/osv-schema/#evaluation, written here independently of the converters) must equal
"matched by no patched/unaffected requirement" (a matcher of RubyGems / Cargo requirement semantics, also
written here, comparator by comparator, without intervals).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from functools import cmp_to_key
from pathlib import Path
from typing import Any

import pytest

from shiftsec.vulndb import versions
from shiftsec.vulndb.importers import rubysec, rustsec
from tests.conftest import shared

# --- a tiny OSV range evaluator ----------------------------------------------------------------------


def osv_affected(ranges: list[dict[str, Any]], ordering: str, version: str) -> bool:
    """The OSV evaluation algorithm for ECOSYSTEM/SEMVER ranges (no `limit`, no `versions` list)."""

    def by_version(a: tuple[str, str], b: tuple[str, str]) -> int:
        if a[1] == "0" or b[1] == "0":  # introduced "0" sorts before everything
            return (b[1] == "0") - (a[1] == "0")
        return versions.compare(ordering, a[1], b[1])

    for rng in ranges:
        events = sorted(((k, v) for e in rng["events"] for k, v in e.items()), key=cmp_to_key(by_version))
        affected = False
        for kind, value in events:
            order = 1 if value == "0" else versions.compare(ordering, version, value)
            if kind == "introduced" and order >= 0:
                affected = True
            elif (kind == "fixed" and order >= 0) or (kind == "last_affected" and order > 0):
                affected = False
        if affected:
            return True
    return False


# --- requirement matchers ----------------------------------------------------------------------------

_GEM_OP = re.compile(r"^\s*(=|!=|>=|<=|~>|>|<)?\s*(\S+)\s*$")


def _gem_segments(version: str) -> list[int | str]:
    return [int(s) if s.isdigit() else s for s in re.findall(r"[0-9]+|[A-Za-z]+", version.replace("-", ".pre."))]


def _gem_release(version: str) -> str:
    """`Gem::Version#release`: the version without its pre-release part."""
    segments = _gem_segments(version)
    if not any(isinstance(s, str) for s in segments):
        return version
    while any(isinstance(s, str) for s in segments):
        segments.pop()
    return ".".join(map(str, segments))


def _gem_bump(version: str) -> str:
    """`Gem::Version#bump`: the release part less its last number, whose new last number is one higher."""
    numeric: list[int] = []
    for s in _gem_segments(version):
        if isinstance(s, str):
            break
        numeric.append(s)
    segments = numeric[:-1] if len(numeric) > 1 else numeric
    segments[-1] += 1
    return ".".join(map(str, segments))


def gem_matches(requirement: str, version: str) -> bool:
    """`Gem::Requirement#satisfied_by?` for a comma-separated requirement."""
    cmp = versions.compare
    for part in requirement.split(","):
        match = _GEM_OP.match(part)
        assert match, requirement
        op, ref = match.group(1) or "=", match.group(2)
        c = cmp("RubyGems", version, ref)
        ok = {
            "=": c == 0,
            "!=": c != 0,
            ">": c > 0,
            "<": c < 0,
            ">=": c >= 0,
            "<=": c <= 0,
            "~>": c >= 0 and cmp("RubyGems", _gem_release(version), _gem_bump(ref)) < 0,
        }[op]
        if not ok:
            return False
    return True


_CARGO_OP = re.compile(r"^\s*(=|>=|<=|>|<|~|\^)?\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?\s*$")
_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$")


def cargo_matches(requirement: str, version: str) -> bool:
    """Cargo requirement semantics as RustSec's OSV export reads them: a partial version is zero-filled for
    `=`, `<`, `<=`, `>`, `>=`; `^` and `~` (and a bare version) keep the leading components that must stay the
    same; pre-releases are ordered by SemVer precedence with no opt-in rule."""
    parsed = _SEMVER.match(version)
    assert parsed, version
    v_major, v_minor, v_patch = (int(x) for x in parsed.groups()[:3])
    for part in requirement.split(","):
        match = _CARGO_OP.match(part)
        assert match, requirement
        op, major_s, minor_s, patch_s, pre = match.groups()
        major, minor, patch = int(major_s), minor_s and int(minor_s), patch_s and int(patch_s)
        ref = f"{major}.{minor or 0}.{patch or 0}" + (f"-{pre}" if pre else "")
        c = versions.compare("SEMVER", version, ref)
        if op in (None, "^"):
            if major > 0 or minor_s is None:
                same = v_major == major
            elif minor > 0 or patch_s is None:  # type: ignore[operator]
                same = (v_major, v_minor) == (0, minor)
            else:
                same = (v_major, v_minor, v_patch) == (0, 0, patch)
            ok = c >= 0 and same
        elif op == "~":
            ok = c >= 0 and v_major == major and (minor_s is None or v_minor == minor)
        else:
            ok = {"=": c == 0, ">": c > 0, "<": c < 0, ">=": c >= 0, "<=": c <= 0}[op]
        if not ok:
            return False
    return True


# --- probes ------------------------------------------------------------------------------------------


def gem_probes(version: str) -> set[str]:
    numeric: list[int] = []
    for s in _gem_segments(version):
        if isinstance(s, str):
            break
        numeric.append(s)
    out = {
        version,
        f"{version}.0.1",
        f"{version}.1",
        f"{version}.a",
        f"{version}.A",
        f"{version}.rc1",
        f"{version}.pre.1",
        f"{version}-beta",
    }
    for i, n in enumerate(numeric):
        head = numeric[:i]
        for m in {n - 1, n, n + 1} - {-1}:
            base = ".".join(map(str, [*head, m]))
            out |= {
                base,
                f"{base}.0",
                f"{base}.0.rc1",
                f"{base}.a",
                f"{base}.A",
                f"{base}.0.0.1",
                f"{base}.99",
            }
    bumped = _gem_bump(version)
    out |= {bumped, f"{bumped}.0", f"{bumped}.a", f"{bumped}.A", f"{bumped}.0.rc1", f"{bumped}.0.RC1"}
    return out


def semver_probes(version: str) -> set[str]:
    match = _SEMVER.match(version)
    assert match, version
    major, minor, patch = (int(x) for x in match.groups()[:3])
    pre = match.group(4)
    triples = {(major, minor, patch), (major, minor, patch + 1), (major, minor + 1, 0), (major + 1, 0, 0)}
    triples |= {t for t in [(major, minor, patch - 1), (major, minor - 1, 9), (major - 1, 9, 9)] if min(t) >= 0}
    out = set()
    for a, b, c in triples:
        base = f"{a}.{b}.{c}"
        out |= {base, f"{base}-0", f"{base}-alpha", f"{base}-alpha.1", f"{base}-rc.1", f"{base}-beta.9"}
    if pre:
        out |= {version, f"{version}.0", f"{version}.1"}
        numbers = re.findall(r"\d+$", pre)
        if numbers:
            n = int(numbers[0])
            stem = pre[: -len(numbers[0])]
            out |= {f"{major}.{minor}.{patch}-{stem}{m}" for m in (n - 1, n + 1) if m >= 0}
    return out


def _zero_filled(requirement_version: str) -> str:
    match = _CARGO_OP.match(requirement_version)
    assert match
    _, major, minor, patch, pre = match.groups()
    return f"{major}.{minor or 0}.{patch or 0}" + (f"-{pre}" if pre else "")


# --- the property ------------------------------------------------------------------------------------

GLOBAL_PROBES_GEM = {"0", "0.0.1", "0.1", "1", "999", "0.0.0.1", "0.a"}
GLOBAL_PROBES_SEMVER = {"0.0.0", "0.0.0-0", "0.0.1", "0.1.0", "1.0.0", "999.0.0"}


def _cases(corpus: str) -> Iterator[Any]:
    if corpus == "rubysec":
        root = shared("advisories", "ruby-advisory-db")
        files = sorted(root.glob("gems/**/*.yml")) + sorted(root.glob("rubies/**/*.yml"))
    else:
        root = shared("advisories", "rustsec")
        files = sorted(root.glob("crates/**/*.md")) + sorted(root.glob("rust/**/*.md"))
    assert len(files) > 1000
    yield from files


def _check(
    path: Path,
    *,
    convert: Callable[[str, bytes], list[dict[str, Any]]],
    requirements: Callable[[dict[str, Any]], list[str]],
    matches: Callable[[str, str], bool],
    probes_of: Callable[[str], set[str]],
    global_probes: set[str],
    ordering: str,
    gap: Callable[[str, str], bool] = lambda _ref, _probe: False,
) -> list[str]:
    [record] = convert(str(path), path.read_bytes())
    reqs = requirements(record)
    probes = set(global_probes)
    refs = set()
    for requirement in reqs:
        for part in requirement.split(","):
            refs.add(re.sub(r"^\s*(=|!=|>=|<=|~>|>|<|~|\^)?\s*", "", part).strip())
    for ref in refs:
        probes |= probes_of(ref)
    probes = {p for p in probes if not any(gap(ref, p) for ref in refs)}
    ranges = record["affected"][0]["ranges"]
    mismatches = []
    for probe in sorted(probes):
        expected = not any(matches(r, probe) for r in reqs)
        if osv_affected(ranges, ordering, probe) != expected:
            mismatches.append(f"{path.name}: {probe} should be {'affected' if expected else 'unaffected'}")
    return mismatches


def _successor_gap(ref: str, probe: str) -> bool:
    """Whether `probe` lies strictly between `ref` and `ref.0.1`, the documented RubyGems approximation of
    "just above ref" (see `test_known_approximation`)."""
    return versions.compare("RubyGems", ref, probe) < 0 < versions.compare("RubyGems", f"{ref}.0.1", probe)


@pytest.mark.slow
def test_rubysec_events_equal_requirement_complement() -> None:
    mismatches: list[str] = []
    checked = 0
    for path in _cases("rubysec"):

        def reqs(record: dict[str, Any]) -> list[str]:
            specific = record["affected"][0]["database_specific"]
            return [*specific["patched_versions"], *specific["unaffected_versions"]]

        mismatches += _check(
            path,
            convert=rubysec.convert,
            requirements=reqs,
            matches=gem_matches,
            probes_of=gem_probes,
            global_probes=GLOBAL_PROBES_GEM,
            ordering="RubyGems",
            gap=_successor_gap,
        )
        checked += 1
    assert checked > 1300
    assert not mismatches, "\n".join(mismatches[:50])


@pytest.mark.slow
def test_rustsec_events_equal_requirement_complement() -> None:
    mismatches: list[str] = []
    checked = 0
    for path in _cases("rustsec"):
        front = tomllib.loads(path.read_text().split("```toml", 1)[1].split("\n```", 1)[0])
        listed: list[str] = [*front["versions"].get("patched", []), *front["versions"].get("unaffected", [])]

        def probes(ref: str) -> set[str]:
            return semver_probes(_zero_filled(ref))

        def reqs(_record: dict[str, Any], listed: list[str] = listed) -> list[str]:
            return listed  # RustSec records do not keep the lists: read them from the file

        mismatches += _check(
            path,
            convert=rustsec.convert,
            requirements=reqs,
            matches=cargo_matches,
            probes_of=probes,
            global_probes=GLOBAL_PROBES_SEMVER,
            ordering="SEMVER",
        )
        checked += 1
    assert checked > 1200
    assert not mismatches, "\n".join(mismatches[:50])


@pytest.mark.parametrize(
    ("source", "probe", "requirement_says", "osv_says"),
    [
        # unaffected "<= 1.13.7": RubyGems has no least version above 1.13.7, the range starts at 1.13.7.0.1
        pytest.param("gems/nokogiri/CVE-2022-23476.yml", "1.13.7.0.0.1", True, False, id="rubygems-successor"),
    ],
)
def test_known_approximation(source: str, probe: str, requirement_says: bool, osv_says: bool) -> None:
    """The one documented gap: versions strictly between X and X.0.1 after an inclusive RubyGems bound."""
    path = shared("advisories", "ruby-advisory-db", *source.split("/"))
    [record] = rubysec.convert(str(path), path.read_bytes())
    specific = record["affected"][0]["database_specific"]
    reqs = [*specific["patched_versions"], *specific["unaffected_versions"]]
    assert (not any(gem_matches(r, probe) for r in reqs)) is requirement_says
    assert osv_affected(record["affected"][0]["ranges"], "RubyGems", probe) is osv_says


@pytest.mark.parametrize(
    ("requirement", "version", "expected"),
    [
        ("~> 2.1.3", "2.1.9", True),
        ("~> 2.1.3", "2.2.0", False),
        ("~> 2.1.3", "2.2.0.rc1", False),  # release 2.2.0 is not below the bump 2.2
        ("~> 2.1.3", "2.1.3.rc1", False),  # below 2.1.3
        ("~> 2.1", "2.9.9", True),
        ("~> 2.1, >= 2.1.5", "2.1.4", False),
        ("!= 1.0", "1.0.0", False),
        ("> 1.1.6", "1.1.6.1", True),
    ],
)
def test_gem_matcher_itself(requirement: str, version: str, expected: bool) -> None:
    assert gem_matches(requirement, version) is expected


@pytest.mark.parametrize(
    ("requirement", "version", "expected"),
    [
        ("^ 2.2.1", "2.9.0", True),
        ("^ 2.2.1", "3.0.0-alpha", False),
        ("^0.2.3", "0.2.9", True),
        ("^0.2.3", "0.3.0", False),
        ("^0.0.3", "0.0.4", False),
        ("~1.2.3", "1.2.9", True),
        ("~1.2.3", "1.3.0-0", False),
        ("< 0.3", "0.3.0-alpha", True),  # zero-filled: below 0.3.0
        (">= 1.0.0, < 1.2.0", "1.1.0", True),
    ],
)
def test_cargo_matcher_itself(requirement: str, version: str, expected: bool) -> None:
    assert cargo_matches(requirement, version) is expected


@pytest.mark.parametrize(
    ("events", "version", "expected"),
    [
        ([{"introduced": "0"}, {"fixed": "1.0"}], "0.9", True),
        ([{"introduced": "0"}, {"fixed": "1.0"}], "1.0", False),
        ([{"introduced": "2.0"}, {"fixed": "2.5"}, {"introduced": "0"}, {"fixed": "1.0"}], "2.1", True),
        ([{"introduced": "2.0"}, {"fixed": "2.5"}, {"introduced": "0"}, {"fixed": "1.0"}], "1.5", False),
        ([{"introduced": "1.0"}, {"last_affected": "1.2"}], "1.2", True),
        ([{"introduced": "1.0"}, {"last_affected": "1.2"}], "1.2.1", False),
        ([{"introduced": "1.0"}], "99", True),
    ],
)
def test_evaluator_itself(events: list[dict[str, str]], version: str, expected: bool) -> None:
    assert osv_affected([{"type": "ECOSYSTEM", "events": events}], "RubyGems", version) is expected
