"""The secret scanner: throughput beside detect-secrets, a 5,000-commit history, pathological files.

    .venv/bin/python benchmarks/bench_secrets.py [--runs 7] [--parts throughput,history,pathological]

Prints Markdown tables. Run by hand only (minutes, and hundreds of MB under /tmp); never by the test suite.
Everything is built at run time in a fresh folder under /tmp (removed at the end unless `--keep`), with its own
`XDG_CACHE_HOME`, so the first `shiftsec` run compiles the Hyperscan database ("cold") and later runs load it
("warm"). Each figure is the wall time of the real command in a fresh process (interpreter start included) and
the max RSS GNU time reports (`/usr/bin/time -f %M`: the largest single process; the scan's worker processes are
forked from it and share its pages). For the corpus the peak proportional set size (PSS) summed over the whole
process tree is also sampled (every 20 ms, in a separate run).

1. throughput: a copy of the virtual environment's site-packages (as `packages/`: a folder named `site-packages`
   is one the walker skips) and of the standard library without its site-packages (as `stdlib/`), scanned with
   `shiftsec fs CORPUS --scanners secret -f json` and, once, `detect-secrets scan --all-files CORPUS`
   (benchmark-only tool: `.venv/bin/pip install detect-secrets`).
2. history: a repository of 5,000 commits generated with `git fast-import` (300 source-like files; each commit
   adds a few lines to 1-5 files; every 50th commit plants a fake token built here at random), scanned with
   `shiftsec repo REPO --history -f json`; every planted token must be reported (by SHA-256) at a commit, file
   and line that hold it, and none may appear in the report. Then one commit adding one large file
   (`--big-commit-mb`), scanned once with the default cap, beside `git log -p` alone.
3. pathological: one file per folder, scanned with `shiftsec fs DIR --scanners secret --secret-max-mb 0`, and the
   files over 10 MiB also with the default cap (they are then listed as errors, not read).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import shutil
import statistics
import string
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from shiftsec.scanners import secrets as secret_scanner
from shiftsec.targets.directory import WalkOptions, walk

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SHIFTSEC = str(BIN / "shiftsec")
DETECT_SECRETS = str(BIN / "detect-secrets")
GNU_TIME = "/usr/bin/time"
SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])
STDLIB = Path(sysconfig.get_paths()["stdlib"])
ALNUM = string.ascii_letters + string.digits
MB = 1e6
MIB = 2**20
PARTS = ("throughput", "history", "pathological")


@dataclass(frozen=True, slots=True)
class Run:
    wall: float  # seconds
    rss: float  # MB (largest single process, GNU time)
    code: int
    stderr: str
    pss: float = 0.0  # MB, peak summed over the process tree (only when sampled)
    processes: int = 0  # most processes seen at once (only when sampled)


def measure(cmd: Sequence[str], env: dict[str, str], *, cwd: Path | None = None, stdout: Path | None = None,
            timeout: float | None = None, sample: bool = False) -> Run | None:
    """Wall time and max RSS of `cmd` in a fresh process (and, with `sample`, the peak PSS of its process tree,
    read every 20 ms); None when it ran past `timeout` seconds (it is then killed)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as stats, \
            open(stdout or os.devnull, "wb") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen([GNU_TIME, "-f", "%M", "-o", stats.name, *cmd], env=env, cwd=cwd, stdout=out,
                                stderr=err, start_new_session=True)
        peak = widest = 0
        try:
            while sample and proc.poll() is None:
                if timeout is not None and time.perf_counter() - start > timeout:
                    raise subprocess.TimeoutExpired(cmd, timeout)
                pids = _tree(proc.pid)
                peak = max(peak, sum(_pss_kb(pid) for pid in pids))
                widest = max(widest, len(pids) - 1)  # not counting GNU time itself
                time.sleep(0.02)
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)  # the process group this call started
            proc.wait()
            return None
        wall = time.perf_counter() - start
        rss_kb = int(stats.read().strip().splitlines()[-1])
        err.seek(0)
        return Run(wall, rss_kb * 1024 / MB, proc.returncode, err.read(), peak * 1024 / MB, widest)


def checked(run: Run | None, cmd: Sequence[str]) -> Run:
    if run is None or run.code not in (0, 1):
        detail = "timed out" if run is None else f"exit {run.code}: {run.stderr.strip()[-2000:]}"
        raise SystemExit(f"{' '.join(cmd)}: {detail}")
    return run


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as stream:
                    todo.extend(int(child) for child in stream.read().split())
        except OSError:
            continue
    return pids


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as stream:
            for line in stream:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def median_runs(cmd: Sequence[str], env: dict[str, str], runs: int) -> list[Run]:
    return [checked(measure(cmd, env), cmd) for _ in range(runs)]


def spread(runs: Sequence[Run]) -> str:
    walls = [r.wall for r in runs]
    if len(walls) == 1:
        return f"{walls[0]:.2f} s (one run)"
    return f"{statistics.median(walls):.2f} s (min {min(walls):.2f}, max {max(walls):.2f})"


def cache_files(env: dict[str, str]) -> set[str]:
    """The compiled Hyperscan databases in the cache: a new one appears when the rules changed (then a "warm"
    run compiled)."""
    folder = Path(env["XDG_CACHE_HOME"]) / "shiftsec" / "hyperscan"
    return {p.name for p in folder.glob("*.db")} if folder.is_dir() else set()


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def warm_up(work: Path, env: dict[str, str]) -> None:
    """One scan of a tiny folder, so that the Hyperscan database is in the cache."""
    folder = work / "warm-up"
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text("x = 1\n")
    cmd = [SHIFTSEC, "fs", str(folder), "--scanners", "secret", "-f", "json", "-o", str(work / "warm-up.json")]
    checked(measure(cmd, env), cmd)


# --- 1. throughput --------------------------------------------------------------------------------------------


def build_corpus(work: Path) -> Path:
    corpus = work / "corpus"
    shutil.copytree(SITE_PACKAGES, corpus / "packages", symlinks=True)
    shutil.copytree(STDLIB, corpus / "stdlib", symlinks=True,
                    ignore=lambda folder, names: ["site-packages"] if Path(folder) == STDLIB else [])
    return corpus


def on_disk(root: Path) -> tuple[int, int]:
    """(regular files, bytes) under `root` (apparent sizes)."""
    files = size = 0
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not os.path.islink(path):
                files += 1
                size += os.path.getsize(path)
    return files, size


@dataclass(frozen=True, slots=True)
class Reads:
    files: int
    size: int
    binary_files: int  # read, then skipped by content (a NUL in the first 8 KiB)
    binary_size: int
    over_cap: int  # listed as errors, not read


def shiftsec_reads(root: Path, limit: int = secret_scanner.MAX_FILE_BYTES) -> Reads:
    """What `shiftsec fs ROOT --scanners secret` reads: the walk and name filter of the scan itself."""
    rels = list(walk(root, secret_scanner.wanted, WalkOptions(), []))
    files = size = binary = binary_size = over = 0
    for rel in rels:
        path = root / rel
        length = path.stat().st_size
        if length > limit:
            over += 1
            continue
        files += 1
        size += length
        with open(path, "rb") as stream:
            if b"\x00" in stream.read(8192):
                binary += 1
                binary_size += length
    return Reads(files, size, binary, binary_size, over)


def throughput(work: Path, env: dict[str, str], runs: int, detect: bool) -> None:
    corpus = build_corpus(work)
    disk_files, disk_size = on_disk(corpus)
    reads = shiftsec_reads(corpus)
    report = work / "corpus.json"
    cmd = [SHIFTSEC, "fs", str(corpus), "--scanners", "secret", "-f", "json", "-o", str(report)]
    shutil.rmtree(Path(env["XDG_CACHE_HOME"]) / "shiftsec", ignore_errors=True)
    cold = checked(measure(cmd, env), cmd)
    compiled = cache_files(env)
    warm = median_runs(cmd, env, runs)
    if cache_files(env) != compiled:
        print("WARNING: the Hyperscan database was compiled again during the warm runs (the rules changed)\n")
    sampled = checked(measure(cmd, env, sample=True), cmd)
    pss, processes = sampled.pss, sampled.processes
    findings = len(json.loads(report.read_text())["findings"])
    warm_s = statistics.median(r.wall for r in warm)

    print(f"Corpus: {SITE_PACKAGES} (as packages/) + {STDLIB} without site-packages (as stdlib/)\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| on disk | {disk_files:,} files, {disk_size / MB:.1f} MB |")
    print(f"| read by shiftsec (text by name, up to 10 MiB) | {reads.files:,} files, {reads.size / MB:.1f} MB "
          f"(of which {reads.binary_files:,} files, {reads.binary_size / MB:.1f} MB binary by content: "
          f"probed, not searched; {reads.over_cap} over the cap) |")
    print(f"| shiftsec cold (empty Hyperscan cache, one run) | {cold.wall:.2f} s, max RSS {cold.rss:.0f} MB |")
    print(f"| shiftsec warm (median of {runs}) | {spread(warm)} |")
    print(f"| warm throughput, bytes read / warm time | {reads.size / MB / warm_s:.0f} MB/s |")
    print(f"| warm throughput, bytes on disk / warm time | {disk_size / MB / warm_s:.0f} MB/s |")
    print(f"| shiftsec max RSS, largest process (GNU time, warm) | {max(r.rss for r in warm):.0f} MB |")
    print(f"| shiftsec peak PSS of the process tree (sampled; {processes} processes) | {pss:.0f} MB |")
    print(f"| shiftsec findings | {findings} |")
    if not detect:
        print("\n(detect-secrets not run: --no-detect-secrets)")
        return
    version = subprocess.run([DETECT_SECRETS, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    ds_cmd = [DETECT_SECRETS, "scan", "--all-files", corpus.name]
    ds_out = work / "detect-secrets.json"
    ds = checked(measure(ds_cmd, env, cwd=work, stdout=ds_out, sample=True), ds_cmd)  # one run
    ds_results = sum(len(v) for v in json.loads(ds_out.read_text())["results"].values())
    print("\n| tool (same folder, same run) | wall | bytes on disk / wall | max RSS (largest process) "
          "| peak PSS of the tree | results | vs detect-secrets |")
    print("|---|---|---|---|---|---|---|")
    print(f"| shiftsec warm (median of {runs}) | {warm_s:.2f} s | {disk_size / MB / warm_s:.0f} MB/s "
          f"| {max(r.rss for r in warm):.0f} MB | {pss:.0f} MB | {findings} | {ds.wall / warm_s:.0f}× faster |")
    print(f"| shiftsec cold (one run) | {cold.wall:.2f} s | {disk_size / MB / cold.wall:.0f} MB/s | {cold.rss:.0f} MB "
          f"| | | {ds.wall / cold.wall:.0f}× faster |")
    print(f"| detect-secrets {version} `scan --all-files` (one run) | {ds.wall:.1f} s "
          f"| {disk_size / MB / ds.wall:.1f} MB/s "
          f"| {ds.rss:.0f} MB | {ds.pss:.0f} MB ({ds.processes} processes) | {ds_results} | 1× |")


# --- 2. history -----------------------------------------------------------------------------------------------

WORDS = ("user", "order", "item", "price", "count", "total", "name", "value", "config", "cache", "client", "result",
         "request", "response", "session", "record", "index", "buffer", "limit", "offset", "status", "payload")


def _ident(rng: random.Random) -> str:
    return "_".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))


def _source_line(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return f"def {_ident(rng)}({_ident(rng)}, {_ident(rng)}=None):"
    if kind == 1:
        return f"    {_ident(rng)} = {_ident(rng)}.get({rng.choice(WORDS)!r}, {rng.randint(0, 999)})"
    if kind == 2:
        return f"    if {_ident(rng)} > {rng.randint(0, 99)}:  # {' '.join(rng.sample(WORDS, 4))}"
    if kind == 3:
        return f"        return {_ident(rng)}({_ident(rng)}[{rng.randint(0, 9)}:])"
    if kind == 4:
        return f"    log.info(\"{' '.join(rng.sample(WORDS, 5))} %s\", {_ident(rng)})"
    return ""


def fake_token(rng: random.Random, n: int) -> tuple[str, str]:
    """(a line holding a fake token of a well-known format, the token)."""
    kind = n % 5
    if kind == 0:
        token = "ghp_" + "".join(rng.choices(ALNUM, k=36))
        return f'GITHUB_TOKEN = "{token}"', token
    if kind == 1:
        token = "glpat-" + "".join(rng.choices(ALNUM + "_-", k=20))
        return f"    gitlab_token = '{token}'", token
    if kind == 2:
        token = "sk_live_" + "".join(rng.choices(ALNUM, k=24))
        return f'STRIPE_KEY = "{token}"', token
    if kind == 3:
        token = f"xoxb-{''.join(rng.choices(string.digits, k=12))}-{''.join(rng.choices(string.digits, k=13))}-" \
                f"{''.join(rng.choices(ALNUM, k=24))}"
        return f"SLACK_TOKEN = '{token}'", token
    token = "AKIA" + "".join(rng.choices(string.ascii_uppercase + "234567", k=16))
    return f"aws_access_key_id = {token}", token


@dataclass(frozen=True, slots=True)
class History:
    commits: int
    added_lines: int
    added_bytes: int
    tokens: tuple[str, ...]


def build_history(repo: Path, commits: int = 5000, files: int = 300, every: int = 50, seed: int = 4) -> History:
    """A repository generated with one `git fast-import` stream (branch main, checked out)."""
    rng = random.Random(seed)
    names = [f"{rng.choice(('src', 'lib', 'app', 'tools'))}/{_ident(rng)}_{i}.py" for i in range(files)]
    content = {name: [_source_line(rng) for _ in range(rng.randint(20, 60))] for name in names}
    tokens: list[str] = []
    added_lines = added_bytes = 0
    stream: list[bytes] = []
    when = 1_700_000_000

    def blob(lines: list[str]) -> bytes:
        data = ("\n".join(lines) + "\n").encode()
        return b"data %d\n%s\n" % (len(data), data)

    for n in range(commits):
        changed: dict[str, list[str]] = {}
        if n == 0:
            changed = content
            added = [line for lines in content.values() for line in lines]
        else:
            added = []
            for name in rng.sample(names, rng.randint(1, 5)):
                lines = content[name]
                new = [_source_line(rng) for _ in range(rng.randint(1, 6))]
                if n % every == every // 2 and not added:
                    line, token = fake_token(rng, n // every)
                    tokens.append(token)
                    new.append(line)
                at = rng.randint(0, len(lines))
                lines[at:at] = new
                added += new
                changed[name] = lines
        added_lines += len(added)
        added_bytes += sum(len(line) + 1 for line in added)
        message = f"change {n}: {' '.join(rng.sample(WORDS, 3))}\n".encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(b"committer Bench <bench@example.com> %d +0000\n" % (when + n * 600))
        stream.append(b"data %d\n%s" % (len(message), message))
        for name, lines in changed.items():
            stream.append(b"M 100644 inline %s\n" % name.encode())
            stream.append(blob(lines))
        stream.append(b"\n")
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=b"".join(stream), check=True)
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "-f", "main"], check=True)
    return History(commits, added_lines, added_bytes, tuple(tokens))


def repo_available(env: dict[str, str]) -> bool:
    return subprocess.run([SHIFTSEC, "repo", "--help"], env=env, capture_output=True, check=False).returncode == 0


def history(work: Path, env: dict[str, str], runs: int, big_mb: int) -> None:
    if not repo_available(env):
        print("`shiftsec repo` does not exist in this build: history scan not measured.")
        return
    repo = work / "history"
    start = time.perf_counter()
    built = build_history(repo)
    generated = time.perf_counter() - start
    numstat = subprocess.run(["git", "-C", str(repo), "log", "--numstat", "--format="], capture_output=True,
                             text=True, check=True).stdout
    git_added = sum(int(line.split("\t")[0]) for line in numstat.splitlines() if line.strip())
    assert git_added == built.added_lines, (git_added, built.added_lines)
    report = work / "history.json"
    cmd = [SHIFTSEC, "repo", str(repo), "--history", "-f", "json", "-o", str(report)]
    warm_up(work, env)
    compiled = cache_files(env)
    timed = median_runs(cmd, env, runs)
    if cache_files(env) != compiled:
        print("WARNING: the Hyperscan database was compiled again during the timed runs (the rules changed)\n")
    text = report.read_text()
    findings = json.loads(text)["findings"]
    by_hash = {hashlib.sha256(t.encode()).hexdigest(): t for t in built.tokens}
    planted = set(by_hash)
    missed = planted - {f.get("secret_sha256") for f in findings}
    placed = 0  # findings of planted tokens whose commit, path and line hold the token
    for finding in findings:
        token = by_hash.get(finding.get("secret_sha256"))
        where = finding["location"]
        if token is None or not where.get("commit"):
            continue
        blob = subprocess.run(["git", "-C", str(repo), "show", f"{where['commit']['sha']}:{where['path']}"],
                              capture_output=True, text=True, check=True).stdout.splitlines()
        placed += where["line"] <= len(blob) and token in blob[where["line"] - 1]
    leaked = [t for t in built.tokens if t in text or t[4:] in text]
    wall = statistics.median(r.wall for r in timed)
    print(f"Repository generated with git fast-import in {generated:.1f} s; {len(findings)} findings in the report "
          f"({placed} of them name a commit, file and line that hold the planted token).\n")
    git_log = median_runs(git_log_command(repo), env, runs)
    print(f"| commits | added lines | added bytes | `shiftsec repo --history -f json` (warm, median of {runs}) "
          "| added MB/s | max RSS (largest process) | `git log -p -U0 --all` alone | planted tokens found "
          "| raw token in report |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {built.commits:,} | {built.added_lines:,} | {built.added_bytes / MB:.1f} MB | {spread(timed)} "
          f"| {built.added_bytes / MB / wall:.2f} | {max(r.rss for r in timed):.0f} MB "
          f"| {spread(git_log)}, {max(r.rss for r in git_log):.0f} MB "
          f"| {len(planted) - len(missed)} of {len(planted)} | {'yes: ' + str(len(leaked)) if leaked else 'no'} |")
    if missed or leaked:
        print(f"\nFAILED: {len(missed)} planted tokens not reported, {len(leaked)} raw tokens in the report")
    if big_mb:
        big_commit(work, env, big_mb)


def git_log_command(repo: Path) -> list[str]:
    """The git command `shiftsec repo --history` streams (same diff options), output discarded."""
    return ["git", "-C", str(repo), "log", "-p", "-U0", "--no-color", "--no-ext-diff", "--no-textconv",
            "--find-renames", "--full-history", "--all", "--"]


def big_commit(work: Path, env: dict[str, str], size_mb: int) -> None:
    """One commit adding one file of `size_mb` MB of short lines (no secret), scanned once with the default cap."""
    repo = work / "big-commit"
    data = b"".join(b"k%d=v%d\n" % (i, i % 97) for i in range(size_mb * 1_000_000 // 11))
    data = data[: data.rindex(b"\n", 0, size_mb * 1_000_000) + 1]
    message = b"one big file\n"
    stream = (b"commit refs/heads/main\ncommitter Bench <bench@example.com> 1700000000 +0000\n"
              b"data %d\n%sM 100644 inline big.txt\ndata %d\n%s\n" % (len(message), message, len(data), data))
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=stream, check=True)
    cmd = [SHIFTSEC, "repo", str(repo), "--history", "-f", "json", "-o", str(work / "big-commit.json")]
    run = checked(measure(cmd, env), cmd)
    git_log = checked(measure(git_log_command(repo), env), git_log_command(repo))
    errors = json.loads((work / "big-commit.json").read_text())["errors"]
    said = f"error entry: {errors[0]['kind']}" if errors else "no error entry"
    lines = data.count(b"\n")
    print(f"\nOne commit adding one {len(data) / MB:.0f} MB file ({lines / 1e6:.1f} M short lines, no secret), "
          "default cap (10 MiB per file and commit), one run:\n")
    print("| command | wall | max RSS (largest process) | report |")
    print("|---|---|---|---|")
    print(f"| `shiftsec repo --history -f json` | {run.wall:.1f} s | {run.rss:.0f} MB | {said} |")
    print(f"| `git log -p -U0 --all` alone | {git_log.wall:.1f} s | {git_log.rss:.0f} MB | |")


# --- 3. pathological ------------------------------------------------------------------------------------------


def long_line(size: int, rng: random.Random) -> bytes:
    """`size` bytes of base64-ish text without a newline, a keyword assignment every ~64 KiB (one in four a
    fake GitHub token)."""
    parts, total, n = [], 0, 0
    while total < size:
        token = b" token=ghp_" + "".join(rng.choices(ALNUM, k=36)).encode() + b" "
        hit = (b" password=", token, b" api_key=", b" secret=")[n % 4]
        n += 1
        body = base64.b64encode(rng.randbytes(48 * 1024))
        parts += [hit, body]
        total += len(hit) + len(body)
    return b"".join(parts)[:size]


def short_lines(count: int, rng: random.Random) -> bytes:
    """`count` short lines of config-like text; one in 1,000 has a keyword and a random value."""
    out = []
    for i in range(count):
        if i % 1000 == 0:
            out.append(f"token_{i}={''.join(rng.choices(ALNUM, k=24))}\n")
        else:
            out.append(f"k{i}=v{i % 97}\n")
    return "".join(out).encode()


def nested_base64(levels: int, rng: random.Random) -> tuple[bytes, str]:
    """A config (~1 MB) holding a fake GitHub token, base64-encoded `levels` times (one line)."""
    token = "ghp_" + "".join(rng.choices(ALNUM, k=36))
    config = "".join(f"setting_{i} = {rng.randint(0, 10**9)}\n" for i in range(40_000)) + f"github_token = {token}\n"
    data = config.encode()
    for _ in range(levels):
        data = base64.b64encode(data)
    return data, token


def high_bytes(size: int, rng: random.Random) -> bytes:
    """Random bytes with the high bit set: mostly invalid UTF-8, never a NUL."""
    return rng.randbytes(size).translate(bytes(b | 0x80 for b in range(256)))


def binary(size: int, rng: random.Random) -> bytes:
    data = bytearray(rng.randbytes(size))
    data[100] = 0
    return bytes(data)


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    file: str
    make: Callable[[random.Random], bytes]


def pathological(work: Path, env: dict[str, str], runs: int, timeout: float) -> None:
    rng = random.Random(20261123)
    nested_token: list[str] = []

    def nested(r: random.Random) -> bytes:
        data, token = nested_base64(12, r)
        nested_token.append(token)
        return data

    cases = [
        Case("100 MB single line, keyword hits every ~64 KiB", "line.txt", lambda r: long_line(100_000_000, r)),
        Case("1,000,000 short lines", "many.conf", lambda r: short_lines(1_000_000, r)),
        Case("base64 nested 12 levels, GitHub token inside", "nested.txt", nested),
        Case("50 MB invalid UTF-8 (high-bit bytes, no NUL)", "latin.txt", lambda r: high_bytes(50_000_000, r)),
        Case("200 MB binary (NUL at byte 100)", "dump.dat", lambda r: binary(200_000_000, r)),
    ]
    warm_up(work, env)
    compiled = cache_files(env)
    base_dir = work / "patho" / "baseline"
    base_dir.mkdir(parents=True)
    (base_dir / "small.txt").write_text("x = 1\n")
    base_cmd = [SHIFTSEC, "fs", str(base_dir), "--scanners", "secret", "-f", "json", "-o", str(work / "p.json")]
    baseline = median_runs(base_cmd, env, runs)
    base_rss = statistics.median(r.rss for r in baseline)
    base_wall = statistics.median(r.wall for r in baseline)
    print(f"Baseline (one 6-byte file): {base_wall:.2f} s, max RSS {base_rss:.0f} MB. "
          "Net = figure minus the baseline.\n")
    print("| input | size | `--secret-max-mb 0`: wall (median) | net s/MB | max RSS | net RSS / size | findings "
          "| default cap (10 MiB): wall, RSS, report |")
    print("|---|---|---|---|---|---|---|---|")
    for case in cases:
        folder = work / "patho" / case.file.split(".")[0]
        folder.mkdir(parents=True)
        data = case.make(rng)
        (folder / case.file).write_bytes(data)
        size = len(data)
        del data
        out = work / "p.json"
        cmd = [SHIFTSEC, "fs", str(folder), "--scanners", "secret", "--secret-max-mb", "0", "-f", "json", "-o",
               str(out)]
        results = [measure(cmd, env, timeout=timeout) for _ in range(runs)]
        done = [r for r in results if r is not None and r.code in (0, 1)]
        if len(done) < len(results):
            failed = next(r for r in results if r is None or r.code not in (0, 1))
            why = f"did not finish in {timeout:.0f} s" if failed is None else f"exit {failed.code}"
            print(f"| {case.name} | {size / MB:.0f} MB | {why} | | | | | |")
            continue
        wall = statistics.median(r.wall for r in done)
        rss = max(r.rss for r in done)
        report = json.loads(out.read_text())
        rules: dict[str, int] = {}
        for finding in report["findings"]:
            rules[finding["rule_id"]] = rules.get(finding["rule_id"], 0) + 1
        found = ", ".join(f"{n:,} {rule}" for rule, n in sorted(rules.items(), key=lambda kv: -kv[1])) or "none"
        if nested_token and case.file == "nested.txt":
            digest = hashlib.sha256(nested_token[0].encode()).hexdigest()
            found += " (inner token: " + ("found" if digest in {f["secret_sha256"] for f in report["findings"]}
                                           else "not found") + ")"
        capped = ""
        if size > secret_scanner.MAX_FILE_BYTES:
            default = [SHIFTSEC, "fs", str(folder), "--scanners", "secret", "-f", "json", "-o", str(out)]
            skipped = median_runs(default, env, runs)
            errors = json.loads(out.read_text())["errors"]
            said = "error entry: " + errors[0]["kind"] if errors else "no error entry"
            capped = f"{statistics.median(r.wall for r in skipped):.2f} s, {max(r.rss for r in skipped):.0f} MB, {said}"
        print(f"| {case.name} | {size / MB:.0f} MB | {wall:.2f} s (min {min(r.wall for r in done):.2f}) "
              f"| {max(0.0, wall - base_wall) / (size / MB):.3f} | {rss:.0f} MB "
              f"| {max(0.0, rss - base_rss) / (size / MB):.2f} | {found} | {capped or 'read (under the cap)'} |")
        shutil.rmtree(folder)
    if cache_files(env) != compiled:
        print("\nWARNING: the Hyperscan database was compiled again during these runs (the rules changed)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="warm runs per figure (median; default 5)")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}")
    parser.add_argument("--no-detect-secrets", action="store_true", help="leave detect-secrets out (it is slow)")
    parser.add_argument("--patho-runs", type=int, default=3, help="runs per pathological input (default 3)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a pathological run is abandoned")
    parser.add_argument("--big-commit-mb", type=int, default=40,
                        help="history: also scan one commit adding a file of this many MB (0: skip; default 40)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder under /tmp")
    args = parser.parse_args()
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    if unknown := set(parts) - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    if not os.access(GNU_TIME, os.X_OK):
        raise SystemExit(f"{GNU_TIME} (GNU time) is needed for max RSS")
    if "throughput" in parts and not args.no_detect_secrets and not os.access(DETECT_SECRETS, os.X_OK):
        raise SystemExit("detect-secrets is missing: .venv/bin/pip install detect-secrets (or --no-detect-secrets)")
    work = Path(tempfile.mkdtemp(prefix="shiftsec-bench-secrets-", dir="/tmp"))
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache")}
    import shiftsec

    code = Path(shiftsec.__file__).parent
    where = str(code)
    if code.is_relative_to(ROOT):
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"], capture_output=True,
                               text=True, check=False).stdout.strip()
        where += f" (commit {head}{', src/ modified' if dirty else ''})"
    print(f"shiftsec {shiftsec.__version__} from {where}; {os.cpu_count()} cores; work folder {work}\n")
    try:
        for part in parts:
            print(f"### {part}\n\n({load()} at the start)\n")
            if part == "throughput":
                throughput(work, env, args.runs, not args.no_detect_secrets)
            elif part == "history":
                history(work, env, args.runs, args.big_commit_mb)
            else:
                pathological(work, env, args.patho_runs, args.timeout)
            print(flush=True)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
