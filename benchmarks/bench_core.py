"""Times the core targets of issue 2 with the real CLI in fresh processes; prints a Markdown table.

    .venv/bin/python benchmarks/bench_core.py [--runs 5]

Targets: `shiftsec --version` <= 150 ms; import of every shared advisory corpus <= 20 s; re-import of unchanged
data <= 2 s; a 5,000-component CycloneDX SBOM (built here from the imported advisories' packages) matched in
<= 1 s wall including process start. Work files go to benchmarks/out/ (ignored by git).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "advisories"
CORPORA = ("pypa", "golang-vulndb", "rustsec", "ghsa-maven-subset", "ruby-advisory-db",
           "php-security-advisories", "alpine-secdb")
OUT = ROOT / "benchmarks" / "out"
SHIFTSEC = str(Path(sys.executable).with_name("shiftsec"))

PURL_TYPES = {"PyPI": "pypi", "Go": "golang", "crates.io": "cargo", "Maven": "maven", "RubyGems": "gem",
              "Packagist": "composer", "npm": "npm", "NuGet": "nuget"}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return elapsed


def purl(ecosystem: str, name: str, version: str) -> str | None:
    kind = PURL_TYPES.get(ecosystem)
    if kind is None:
        return None
    if kind == "maven":
        group, _, artifact = name.partition(":")
        return f"pkg:maven/{group}/{artifact}@{version}"
    return f"pkg:{kind}/{name}@{version}"


def build_sbom(db: Path, size: int, target: Path) -> int:
    """A CycloneDX SBOM of `size` components named after the DB's affected packages, at versions taken from
    the advisories' own events (so that a good share of them are vulnerable, as in a neglected project)."""
    conn = sqlite3.connect(db)
    marks = ",".join("?" * len(PURL_TYPES))
    rows = conn.execute(f"SELECT DISTINCT base, name, spec FROM affected WHERE base IN ({marks})",
                        list(PURL_TYPES)).fetchall()
    conn.close()
    rng = random.Random(42)
    rng.shuffle(rows)
    seen: set[str] = set()
    components = []
    for base, name, spec in rows:
        events = [v for _, evs in json.loads(spec).get("r", []) for _, v in evs if v != "0"]
        listed = json.loads(spec).get("v", [])
        candidates = events + listed
        if not candidates:
            continue
        ref = purl(base, name, rng.choice(candidates))
        if ref is None or ref in seen:
            continue
        seen.add(ref)
        components.append({"type": "library", "bom-ref": ref, "name": name, "purl": ref,
                           "version": ref.rsplit("@", 1)[1]})
        if len(components) == size:
            break
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": components}
    target.write_text(json.dumps(bom))
    return len(components)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    db = OUT / "db.sqlite"
    corpora = [str(DATA / c) for c in CORPORA]

    version = [timed([SHIFTSEC, "--version"]) for _ in range(args.runs)]
    first = timed([SHIFTSEC, "db", "import", *corpora, "--db", str(db)])
    again = [timed([SHIFTSEC, "db", "import", *corpora, "--db", str(db)]) for _ in range(args.runs)]
    sbom = OUT / "sbom-5000.cdx.json"
    count = build_sbom(db, 5000, sbom)
    match = [timed([SHIFTSEC, "sbom", str(sbom), "--db", str(db), "-f", "json", "-o", str(OUT / "r.json")])
             for _ in range(args.runs)]
    report = json.loads((OUT / "r.json").read_text())

    def fmt(values: list[float]) -> str:
        return f"{statistics.median(values):.3f} s (min {min(values):.3f}, max {max(values):.3f})"

    print(f"| measure | target | shiftsec (median of {args.runs}) |")
    print("|---|---|---|")
    print(f"| `shiftsec --version` | <= 0.150 s | {fmt(version)} |")
    print(f"| import all shared advisories (fresh DB) | <= 20 s | {first:.3f} s (one run) |")
    print(f"| re-import unchanged data | <= 2 s | {fmt(again)} |")
    print(f"| match {count:,}-component CycloneDX SBOM (wall, incl. start) | <= 1 s | {fmt(match)} |")
    print(f"\nSBOM scan found {len(report['findings']):,} findings in {len(report['packages']):,} packages;"
          f" {len(report['errors'])} errors.")


if __name__ == "__main__":
    main()
