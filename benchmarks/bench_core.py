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

from shiftsec.vulndb import versions

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "advisories"
CORPORA = ("pypa", "golang-vulndb", "rustsec", "ghsa-maven-subset", "ruby-advisory-db",
           "php-security-advisories", "alpine-secdb")
OUT = ROOT / "benchmarks" / "out"
SHIFTSEC = str(Path(sys.executable).with_name("shiftsec"))

PURL_TYPES = {"PyPI": "pypi", "Go": "golang", "crates.io": "cargo", "Maven": "maven", "RubyGems": "gem",
              "Packagist": "composer", "npm": "npm", "NuGet": "nuget", "Alpine": "apk"}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return elapsed


def purl(ecosystem: str, name: str, version: str) -> str | None:
    base, _, release = ecosystem.partition(":")
    kind = PURL_TYPES.get(base)
    if kind is None:
        return None
    if kind == "maven":
        group, _, artifact = name.partition(":")
        return f"pkg:maven/{group}/{artifact}@{version}"
    if kind == "apk":  # the advisory's release ("Alpine:v3.10") becomes the distro qualifier
        return f"pkg:apk/alpine/{name}@{version}?distro=alpine-{release.removeprefix('v')}"
    return f"pkg:{kind}/{name}@{version}"


def build_sbom(db: Path, size: int, target: Path, vulnerable_share: float) -> int:
    """A CycloneDX SBOM of `size` components that the DB has advisories for.

    Packages come from the advisories' affected entries (per Alpine release for apk); when there are fewer
    distinct packages than `size`, a second copy at another version is added, as in a monorepo. A
    `vulnerable_share` of the components sit at a version some advisory names (an `introduced`/`fixed`
    event or a listed version: mostly affected); the others at the highest version any of their advisories
    names (up to date: affected only by advisories without a fix).
    """
    conn = sqlite3.connect(db)
    marks = ",".join("?" * len(PURL_TYPES))
    rows = conn.execute(f"SELECT ecosystem, name, spec FROM affected WHERE base IN ({marks})", list(PURL_TYPES))
    named: dict[tuple[str, str], list[str]] = {}
    for ecosystem, name, spec in rows:
        data = json.loads(spec)
        mentioned = [v for _, evs in data.get("r", []) for _, v in evs if v != "0"] + data.get("v", [])
        named.setdefault((ecosystem, name), []).extend(mentioned)
    conn.close()
    rng = random.Random(42)
    packages = sorted(k for k, v in named.items() if v)
    rng.shuffle(packages)
    components: dict[str, dict[str, str]] = {}
    for copy in range(3):
        for ecosystem, name in packages:
            mentioned = named[(ecosystem, name)]
            if copy or rng.random() < vulnerable_share:
                version = rng.choice(mentioned)
            else:
                version = max(mentioned, key=lambda v, e=ecosystem: versions.parse(e, v))
            ref = purl(ecosystem, name, version)
            if ref is not None and ref not in components:
                components[ref] = {"type": "library", "bom-ref": ref, "name": name, "purl": ref, "version": version}
            if len(components) == size:
                break
        if len(components) == size:
            break
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": list(components.values())}
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
    cases = []
    for label, share in (("typical: 10% at a vulnerable version", 0.1), ("stress: all at a vulnerable version", 1.0)):
        sbom = OUT / f"sbom-5000-{int(share * 100)}.cdx.json"
        count = build_sbom(db, 5000, sbom, share)
        out = OUT / f"report-{int(share * 100)}.json"
        runs = [timed([SHIFTSEC, "sbom", str(sbom), "--db", str(db), "-f", "json", "-o", str(out)])
                for _ in range(args.runs)]
        summary = json.loads(out.read_text())["summary"]
        cases.append((f"JSON report ({label}", count, runs, summary))
        table = [timed([SHIFTSEC, "sbom", str(sbom), "--db", str(db), "-o", str(OUT / "report.txt")])
                 for _ in range(args.runs)]
        cases.append((f"default table ({label}", count, table, summary))

    def fmt(values: list[float]) -> str:
        return f"{statistics.median(values):.3f} s (min {min(values):.3f}, max {max(values):.3f})"

    print(f"| measure | target | shiftsec (median of {args.runs}) |")
    print("|---|---|---|")
    print(f"| `shiftsec --version` | <= 0.150 s | {fmt(version)} |")
    print(f"| import all shared advisories (fresh DB) | <= 20 s | {first:.3f} s (one run) |")
    print(f"| re-import unchanged data | <= 2 s | {fmt(again)} |")
    for label, count, runs, summary in cases:
        print(f"| match a {count:,}-component CycloneDX SBOM, {label}; {summary['findings']:,} "
              f"findings in {summary['vulnerable_packages']:,} packages) | <= 1 s | {fmt(runs)} |")


if __name__ == "__main__":
    main()
