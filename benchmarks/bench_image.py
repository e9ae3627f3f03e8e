"""`shiftsec image` on a generated ~500 MB image, with a warm advisory database; prints a Markdown table.

    .venv/bin/python benchmarks/bench_image.py [--runs 3] [--mb 500] [--write]

Run by hand only; never by the test suite. The image is an OCI layout written in a temporary folder by the
tests' own image builder (tests/image/imagebuild.py), five gzip layers:
1. the shared Alpine 3.14 minirootfs plus incompressible shared-library-like files under usr/lib (20%);
2. a node_modules tree: one package.json per package (inventoried) and JavaScript files (25%);
3. a Python site-packages tree: one dist-info METADATA per package and modules (25%);
4. the application: text files under app/, every one searched for secrets (30%);
5. a small top layer (a changed version of it makes the rescan image).
Runs, each in a fresh process after one untimed warm-up: a full scan without the layer cache (`--no-cache`);
a rescan of the same image with the cache warm; and the image whose top layer changed, with the cache warm
from the first image (the issue's "rescan after changing only the top layer"). Figures: median wall time and
max RSS (GNU time). Targets (issue 7): full scan at most 5 s and 300 MB RSS; top-layer rescan at most 1 s.
`--write` replaces the "## Images" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_ci import CORPORA, SHARED, _db
from bench_misconfig import wrap, write_section
from bench_secrets import Run, measure

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.image import imagebuild as ib  # noqa: E402  (the tests' image builder, reused)

SECTION = "## Images"


def _text(rng: random.Random, size: int) -> bytes:
    words = ["def", "return", "import", "value", "config", "request", "user", "data", "self", "None", "for", "in"]
    out = []
    total = 0
    while total < size:
        line = " ".join(rng.choice(words) for _ in range(10)) + "\n"
        out.append(line)
        total += len(line)
    return "".join(out).encode()[:size]


def build(dest: Path, megabytes: int, top: bytes) -> Path:
    rng = random.Random(7)
    mb = 2**20
    files: dict[str, bytes] = {
        path.relative_to(ib.ALPINE_ROOTFS).as_posix(): path.read_bytes()
        for path in sorted(ib.ALPINE_ROOTFS.rglob("*")) if path.is_file() and not path.is_symlink()
    }
    files.update({f"usr/lib/libbench{i}.so": rng.randbytes(mb) for i in range(megabytes * 20 // 100)})
    layer1 = ib.layer(ib.tar_layer(files), created_by="ADD rootfs /")
    chunk = _text(rng, 64 * 1024)
    npm = {}
    for i in range(megabytes * 25 // 100 * 16):  # 64 KiB each
        npm[f"app/node_modules/pkg{i}/package.json"] = f'{{"name": "pkg{i}", "version": "1.0.{i % 50}"}}'.encode()
        npm[f"app/node_modules/pkg{i}/index.js"] = chunk
    layer2 = ib.layer(ib.tar_layer(npm), created_by="RUN npm ci # buildkit")
    py = {}
    for i in range(megabytes * 25 // 100 * 16):
        site = "usr/local/lib/python3.11/site-packages"
        py[f"{site}/mod{i}-2.0.{i % 30}.dist-info/METADATA"] = f"Name: mod{i}\nVersion: 2.0.{i % 30}\n".encode()
        py[f"{site}/mod{i}/__init__.py"] = chunk
    layer3 = ib.layer(ib.tar_layer(py), created_by="RUN pip install -r requirements.txt # buildkit")
    app = {f"app/src/file{i}.py": chunk for i in range(megabytes * 30 // 100 * 16)}
    app["app/settings.py"] = b'AWS_ACCESS_KEY_ID = "AKIAQWERTYUI2PASDFGH"\n'
    layer4 = ib.layer(ib.tar_layer(app), created_by="COPY . /app # buildkit")
    layer5 = ib.layer(ib.tar_layer({"app/VERSION": top}), created_by="RUN echo version > /app/VERSION # buildkit")
    return ib.write_oci_layout(dest, ib.build_image([layer1, layer2, layer3, layer4, layer5]))


def _median(cmd: list[str], env: dict[str, str], runs: int, *, before: list[str] | None = None) -> tuple[float, float]:
    measure(cmd, env)
    walls, rss = [], 0.0
    for _ in range(runs):
        if before is not None:
            subprocess.run(before, env=env, check=False, capture_output=True)
        run = measure(cmd, env)
        assert isinstance(run, Run)
        if run.code not in (0, 1):
            sys.exit(f"{' '.join(cmd)} exited {run.code}: {run.stderr.strip()[:500]}")
        walls.append(run.wall)
        rss = max(rss, run.rss)
    return statistics.median(walls), rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mb", type=int, default=500)
    parser.add_argument("--db", type=Path, default=Path.home() / ".cache/shiftsec-bench/ci-db.sqlite")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    db = _db(args.db)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    shiftsec = str(ROOT / ".venv/bin/shiftsec")
    with tempfile.TemporaryDirectory() as work:
        first = build(Path(work) / "v1", args.mb, b"1\n")
        second = build(Path(work) / "v2", args.mb, b"2\n")
        size = sum(p.stat().st_size for p in (first / "blobs").rglob("*") if p.is_file())
        cache_db = Path(work) / "db" / "db.sqlite"
        cache_db.parent.mkdir()
        cache_db.symlink_to(db)
        out = f"--output={work}/out.json"
        full = _median([shiftsec, "image", str(first), "--db", str(db), "--no-cache", "-f", "json", out], env,
                       args.runs)
        warm = _median([shiftsec, "image", str(first), "--db", str(cache_db), "-f", "json", out], env, args.runs)
        cache = Path(work) / "db" / "image-cache"
        top = _median([shiftsec, "image", str(second), "--db", str(cache_db), "-f", "json", out], env, args.runs,
                      before=["sh", "-c", f"rm -rf {cache} && {shiftsec} image {first} --db {cache_db} -f json "
                                          f"{out}"])
    rows = [
        f"| full scan, no layer cache | {full[0]:.2f} s | {full[1]:.0f} MB | ≤ 5 s, ≤ 300 MB: "
        f"{'met' if full[0] <= 5 and full[1] <= 300 else 'NOT met'} |",
        f"| same image again, cache warm | {warm[0]:.2f} s | {warm[1]:.0f} MB | |",
        f"| top layer changed, cache warm from the first image | {top[0]:.2f} s | {top[1]:.0f} MB | ≤ 1 s: "
        f"{'met' if top[0] <= 1 else 'NOT met'} |",
    ]
    for row in rows:
        print(row, flush=True)
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    text = "\n".join([
        SECTION, "",
        wrap(f"Measured {datetime.date.today()} on {platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}, commit {head}: a generated OCI image of about {args.mb} MB uncompressed "
             f"({size / 2**20:.0f} MB of gzip blobs; five layers: rootfs and libraries, node_modules, "
             f"site-packages, the application's text files, a small top layer), a warm database of "
             f"{len(CORPORA)} ../shared/data advisory corpora ({SHARED.name}); median of {args.runs} fresh processes "
             "after one warm-up run."), "",
        "    .venv/bin/python benchmarks/bench_image.py " + " ".join(sys.argv[1:]), "",
        "| run | wall (median) | max RSS | target |", "|---|---|---|---|", *rows, "",
    ])
    print(text)
    if args.write:
        write_section(text, SECTION)


if __name__ == "__main__":
    main()
