"""`shiftsec fs` on trees of 100, 300 and 1,000 lockfiles; prints a Markdown table.

    .venv/bin/python benchmarks/bench_fs.py [--runs 3]

The trees are built here from the osv-scalibr lockfile fixtures in ../shared/data: every fixture of a format
shiftsec reads that parses without error, copied under its format's real file name (`one-package.lock` of
the Cargo tests becomes `Cargo.lock`), one copy per folder `NNNN/` under benchmarks/out/fs-<N>/, cycling
through the fixtures until N files. The database is imported once
(benchmarks/out/fs-db.sqlite) and warm. Wall time of the real command in a fresh process, JSON output.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from shiftsec.analyzers.api import InputFile
from shiftsec.analyzers.registry import analyzer_for
from shiftsec.errors import ParseError

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "benchmarks" / "out"
SHIFTSEC = str(Path(sys.executable).with_name("shiftsec"))
CORPORA = ("pypa", "golang-vulndb", "rustsec", "ghsa-maven-subset", "ruby-advisory-db",
           "php-security-advisories", "alpine-secdb")


# osv-scalibr extractor folder -> the file name the format has in a real project
CANONICAL = {
    "python/requirements": "requirements.txt", "python/poetrylock": "poetry.lock", "python/pipfilelock": "Pipfile.lock",
    "python/pdmlock": "pdm.lock", "python/uvlock": "uv.lock", "python/pylock": "pylock.toml",
    "javascript/packagelockjson": "package-lock.json", "javascript/yarnlock": "yarn.lock",
    "javascript/pnpmlock": "pnpm-lock.yaml", "javascript/bunlock": "bun.lock", "golang/gomod": "go.mod",
    "rust/cargolock": "Cargo.lock", "ruby/gemfilelock": "Gemfile.lock", "php/composerlock": "composer.lock",
    "java/pomxml": "pom.xml", "java/gradlelockfile": "gradle.lockfile", "dotnet/packageslockjson": "packages.lock.json",
    "dotnet/depsjson": "app.deps.json", "dotnet/packagesconfig": "packages.config", "dotnet/csproj": "app.csproj",
    "dart/pubspec": "pubspec.lock", "elixir/mixlock": "mix.lock", "swift/packageresolved": "Package.resolved",
    "swift/podfilelock": "Podfile.lock", "r/renvlock": "renv.lock", "cpp/conanlock": "conan.lock",
    "haskell/cabal": "cabal.project.freeze", "haskell/stacklock": "stack.yaml.lock",
}


def fixtures() -> list[tuple[Path, str]]:
    """(fixture, real file name) for every fixture that parses cleanly into packages, largest first."""
    good = []
    for folder, name in CANONICAL.items():
        analyzer = analyzer_for(name)
        assert analyzer is not None, name
        for path in sorted((SHARED / "lockfiles" / "osv-scalibr" / "language" / folder).rglob("*")):
            if not path.is_file() or path.stat().st_size > 2_000_000:
                continue
            try:
                parsed = analyzer.analyze(InputFile(name, path.read_bytes()))
            except ParseError:
                continue
            if parsed.packages:
                good.append((path, name))
    return sorted(good, key=lambda item: -item[0].stat().st_size)


def build(count: int, sources: list[tuple[Path, str]]) -> Path:
    tree = OUT / f"fs-{count}"
    shutil.rmtree(tree, ignore_errors=True)
    for i in range(count):
        source, name = sources[i % len(sources)]
        target = tree / f"{i:04d}" / name
        target.parent.mkdir(parents=True)
        shutil.copyfile(source, target)
    return tree


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)}: {proc.stderr.strip()}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "fs-db.sqlite"
    subprocess.run([SHIFTSEC, "db", "import", *(str(SHARED / "advisories" / c) for c in CORPORA), "--db", str(db)],
                   capture_output=True, check=True)
    sources = fixtures()
    size = sum(path.stat().st_size for path, _ in sources)
    print(f"{len(sources)} distinct fixtures in {len({n for _, n in sources})} formats, {size / 1e6:.1f} MB\n")
    print(f"| lockfiles in the tree | shiftsec fs (median of {args.runs}) | per file |")
    print("|---|---|---|")
    for count in (100, 300, 1000):
        tree = build(count, sources)
        runs = [timed([SHIFTSEC, "fs", str(tree), "--db", str(db), "-f", "json", "-o", str(OUT / "fs.json")])
                for _ in range(args.runs)]
        median = statistics.median(runs)
        spread = f"min {min(runs):.2f}, max {max(runs):.2f}"
        print(f"| {count:,} | {median:.2f} s ({spread}) | {median / count * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
