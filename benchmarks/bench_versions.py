"""Version ordering beside `univers` (the library the issue names): accuracy on the shared vectors and speed.

    .venv/bin/python benchmarks/bench_versions.py

Every assertion line `A <op> B` of ../shared/data/versions is checked with shiftsec's `versions.compare` and
with the univers class for that ecosystem (run by a separate virtual environment with univers 32.0.1,
created under benchmarks/out-peers on first use, since univers is no dependency of shiftsec). An exception
counts as a wrong answer. Prints a Markdown table.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from shiftsec.vulndb import versions

ROOT = Path(__file__).resolve().parents[1]
VECTORS = ROOT.parent / "shared" / "data" / "versions"
PEERS = ROOT / "benchmarks" / "out-peers"

# vector file → (OSV ecosystem for shiftsec, univers class)
FILES = {
    "osv-scalibr/alpine-versions.txt": ("Alpine", "AlpineLinuxVersion"),
    "osv-scalibr/cran-versions.txt": ("CRAN", "GenericVersion"),
    "osv-scalibr/debian-versions.txt": ("Debian", "DebianVersion"),
    "osv-scalibr/hackage-versions.txt": ("Hackage", "GenericVersion"),
    "osv-scalibr/maven-versions.txt": ("Maven", "MavenVersion"),
    "osv-scalibr/nuget-versions.txt": ("NuGet", "NugetVersion"),
    "osv-scalibr/packagist-versions.txt": ("Packagist", "ComposerVersion"),
    "osv.dev/osv/ecosystems/testdata/packagist_test_cases.txt": ("Packagist", "ComposerVersion"),
    "osv-scalibr/pub-versions.txt": ("Pub", "SemverVersion"),
    "osv-scalibr/pypi-versions.txt": ("PyPI", "PypiVersion"),
    "osv-scalibr/redhat-versions.txt": ("Red Hat", "RpmVersion"),
    "osv-scalibr/rubygems-versions.txt": ("RubyGems", "RubygemsVersion"),
    "osv-scalibr/semver-versions.txt": ("npm", "SemverVersion"),
}
SIGN = {"<": -1, "=": 0, ">": 1}
REPEAT = 200  # comparisons are repeated to time them; parsing is uncached in both tools' timed loop

PEER_SCRIPT = """
import json, sys, time
import univers.versions as uv
cases = json.load(sys.stdin)
out = {}
for name, (cls_name, lines, repeat) in cases.items():
    cls = getattr(uv, cls_name)
    right = 0
    for a, b, sign in lines:
        try:
            x, y = cls(a), cls(b)
            got = (x > y) - (x < y)
        except Exception:
            got = None
        right += got == sign
    start = time.perf_counter()
    for _ in range(repeat):
        for a, b, sign in lines:
            try:
                x, y = cls(a), cls(b)
                (x > y) - (x < y)
            except Exception:
                pass
    out[name] = (right, (time.perf_counter() - start) / (repeat * len(lines)))
json.dump(out, sys.stdout)
"""


def vector_lines(path: Path) -> list[tuple[str, str, int]]:
    lines = []
    for raw in path.read_text().splitlines():
        text = raw.strip()
        if not text or text.startswith(("//", "#")):
            continue
        a, op, b = text.split(" ", 2)
        lines.append((a, b, SIGN[op]))
    return lines


def ours(ecosystem: str, lines: list[tuple[str, str, int]]) -> tuple[int, float]:
    right = sum(versions.compare(ecosystem, a, b) == sign for a, b, sign in lines)
    parse = versions.parse.__wrapped__  # time the uncached parse, as univers has no cache
    start = time.perf_counter()
    for _ in range(REPEAT):
        for a, b, _sign in lines:
            parse(ecosystem, a).cmp(parse(ecosystem, b))
    return right, (time.perf_counter() - start) / (REPEAT * len(lines))


def peers(cases: dict[str, tuple[str, list[tuple[str, str, int]], int]]) -> dict[str, tuple[int, float]]:
    python = PEERS / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        subprocess.run([str(PEERS / "bin" / "pip"), "install", "-q", "univers==32.0.1"], check=True)
    proc = subprocess.run([str(python), "-c", PEER_SCRIPT], input=json.dumps(cases), capture_output=True,
                          text=True, check=True)
    return {name: (int(r), float(t)) for name, (r, t) in json.loads(proc.stdout).items()}


def main() -> None:
    loaded = {name: vector_lines(VECTORS / name) for name in FILES}
    theirs = peers({name: (FILES[name][1], lines, REPEAT) for name, lines in loaded.items()})
    print("| vector file | assertions | shiftsec right | univers 32.0.1 right | shiftsec µs/compare"
          " | univers µs/compare |")
    print("|---|---|---|---|---|---|")
    totals = [0, 0, 0]
    for name, lines in loaded.items():
        right, seconds = ours(FILES[name][0], lines)
        peer_right, peer_seconds = theirs[name]
        totals[0] += len(lines)
        totals[1] += right
        totals[2] += peer_right
        print(f"| {name.split('/')[-1]} | {len(lines)} | {right} ({right / len(lines):.1%}) | "
              f"{peer_right} ({peer_right / len(lines):.1%}) | {seconds * 1e6:.1f} | {peer_seconds * 1e6:.1f} |")
    n, a, b = totals
    print(f"| **all** | {n} | {a} ({a / n:.1%}) | {b} ({b / n:.1%}) | | |")


if __name__ == "__main__":
    main()
