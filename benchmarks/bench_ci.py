"""`shiftsec ci` on this repository itself, with a warm advisory database; prints a Markdown table.

    .venv/bin/python benchmarks/bench_ci.py [--runs 5] [--write]

Run by hand only; never by the test suite. The database holds every advisory corpus of ../shared/data
(imported once into ~/.cache/shiftsec-bench/ci-db.sqlite and reused: "warm"). Three runs of the gate, each in a
fresh process after one untimed warm-up run (page cache, bytecode, the secret rules' compiled cache):
1. `shiftsec ci .`: the whole repository (every lockfile, manifest and text file, test fixtures included);
2. `shiftsec ci . --diff-base HEAD~1`: a pull request: the same scans of the base revision, in a temporary git
   worktree, run beside those of the working tree;
3. `shiftsec ci . --output json=… --output sarif=… --output junit=… --output html=… --output markdown=…`.
Figures: median wall time of the real command (interpreter start included) and max RSS (GNU time: the largest
single process of the tree). The target (issue 6): at most 10 s wall. `--write` replaces the "## Gate" section
of BENCHMARKS.md with the results.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_misconfig import wrap, write_section
from bench_secrets import Run, measure

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
SECTION = "## Gate (`shiftsec ci`)"
CORPORA = ("pypa", "golang-vulndb", "rustsec", "ghsa-maven-subset", "ruby-advisory-db", "php-security-advisories",
           "alpine-secdb")
TARGET = 10.0


def _db(path: Path) -> Path:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(ROOT / ".venv/bin/shiftsec"), "db", "import", "--db", str(path),
                        *(str(SHARED / "advisories" / name) for name in CORPORA)], check=True, capture_output=True)
    return path


def _runs(cmd: list[str], env: dict[str, str], runs: int) -> list[Run]:
    measure(cmd, env, cwd=ROOT)  # warm-up
    out = []
    for _ in range(runs):
        run = measure(cmd, env, cwd=ROOT)
        assert run is not None
        if run.code not in (0, 1):
            sys.exit(f"{' '.join(cmd)} exited {run.code}: {run.stderr.strip()[:500]}")
        out.append(run)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, default=Path.home() / ".cache/shiftsec-bench/ci-db.sqlite")
    parser.add_argument("--write", action="store_true", help=f"update the '{SECTION}' section of BENCHMARKS.md")
    args = parser.parse_args()
    subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    db = _db(args.db)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "GITHUB_STEP_SUMMARY")}
    shiftsec = str(ROOT / ".venv/bin/shiftsec")
    with tempfile.TemporaryDirectory() as work:
        outputs = [f"--output={fmt}={work}/out.{fmt}" for fmt in ("json", "sarif", "junit", "html", "markdown")]
        cases = [
            ("whole repository", [shiftsec, "ci", ".", "--db", str(db)]),
            ("pull request (`--diff-base HEAD~1`)", [shiftsec, "ci", ".", "--db", str(db), "--diff-base", "HEAD~1"]),
            ("five outputs at once", [shiftsec, "ci", ".", "--db", str(db), *outputs]),
        ]
        rows = []
        for label, cmd in cases:
            runs = _runs(cmd, env, args.runs)
            wall = statistics.median(r.wall for r in runs)
            rss = max(r.rss for r in runs)
            rows.append(f"| {label} | {wall:.2f} s | {rss:.0f} MB | {'yes' if wall <= TARGET else 'NO'} |")
            print(rows[-1], flush=True)
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True,
                           check=True).stdout.count("\n")
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    text = "\n".join([
        SECTION,
        "",
        wrap(f"Measured {datetime.date.today()} on {platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}, commit {head}: this repository ({files:,} tracked files, test fixtures "
             f"included) with a warm database of every ../shared/data advisory corpus; median of {args.runs} fresh "
             f"processes after one warm-up run. Target: at most {TARGET:.0f} s wall."),
        "",
        "    .venv/bin/python benchmarks/bench_ci.py " + " ".join(sys.argv[1:]),
        "",
        "| run | wall (median) | max RSS | within 10 s |",
        "|---|---|---|---|",
        *rows,
        "",
    ])
    print(text)
    if args.write:
        write_section(text, SECTION)


if __name__ == "__main__":
    main()
