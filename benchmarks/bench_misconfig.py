"""Misconfiguration scanning beside Checkov, side by side in one run; prints a Markdown table.

    .venv/bin/python benchmarks/bench_misconfig.py [--runs 5] [--write]

Run by hand only (several minutes); never by the test suite. Checkov is installed in its own virtual environment
(default ~/.cache/shiftsec-bench/checkov-venv, `--checkov-venv`), never in the project's: installed beside the
core it downgrades cyclonedx-python-lib and packageurl-python (see ../shared/NOTES.md). Exit 2 when it cannot be
installed.

Corpora (paths relative to the repository root):
1. `../shared/data/k8s/checkov`: Checkov's own Kubernetes check examples (YAML and JSON manifests),
   `checkov -d DIR --framework kubernetes` beside `shiftsec config DIR`;
2. `../shared/data/dockerfile/checkov`: Checkov's Dockerfile check examples, `--framework dockerfile`;
3. one generated YAML file of `--docs` (10,000) Deployment documents separated by `---`, in a temporary folder.

Both tools run in fresh processes, alternating (Checkov first on even runs, shiftsec first on odd ones),
`--runs` times each after one untimed warm-up run of each (page cache, bytecode); when Checkov's warm-up run
takes longer than `--slow` seconds (default 120: the generated file), that run is its one measurement on the
corpus. Figures: median wall time of the real command (interpreter start included) and max RSS from GNU time
(`/usr/bin/time -f %M`: the largest single process of the tree). Both tools write JSON to a file; the findings
are counted from it (Checkov: `results.failed_checks` of each report, shiftsec: `findings`). Checkov is kept
off the network: no API key, `--skip-download`, `BC_SKIP_MAPPING=TRUE`, `CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false`,
`CKV_SKIP_PACKAGE_UPDATE_CHECK=true` (without it, its banner module may ask pypi.org for a newer version at
import); one extra untimed run of each tool per example corpus is traced with strace (when installed) and every
AF_INET/AF_INET6 `connect` is reported.
The project's sources are byte-compiled first and the child processes run without PYTHONDONTWRITEBYTECODE.
Unless `--no-snapshot`, shiftsec runs from a copy of src/ taken at the start (first on PYTHONPATH, ahead of the
editable install), so one run measures one state of the code even while src/ is being edited.

`--write` replaces the "## Misconfiguration" section of BENCHMARKS.md (appended when missing) with the results;
when shiftsec is less than 20x faster than Checkov on the Kubernetes examples, a profile of the shiftsec run
(`-X importtime` and cProfile) is added to say where its time goes.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.util
import json
import os
import platform
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench_secrets import Run, measure  # one way to time a command, for every benchmark

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
BIN = Path(sys.executable).parent if (Path(sys.executable).parent / "shiftsec").exists() else ROOT / ".venv" / "bin"
SHIFTSEC = str(BIN / "shiftsec")
PYTHON = str(BIN / "python")
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
SECTION = "## Misconfiguration"
CHECKOV_VERSION = "3.3.30"
DEFAULT_VENV = Path.home() / ".cache" / "shiftsec-bench" / "checkov-venv"
TARGET = 20.0
MB = 1e6
NOT_MANIFESTS = {"CHECK_IDS.json", "LICENSE"}  # the corpora's check index and licence
CHECKOV_ENV = {
    "BC_SKIP_MAPPING": "TRUE",
    "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
}


@dataclass(slots=True)
class Corpus:
    key: str
    label: str
    folder: Path
    framework: str
    files: int
    documents: str = ""


@dataclass(slots=True)
class Result:
    corpus: Corpus
    checkov: list[Run] = field(default_factory=list)
    shiftsec: list[Run] = field(default_factory=list)
    checkov_findings: int = 0
    checkov_resources: int = 0
    checkov_parse_errors: int = 0
    shiftsec_findings: int = 0
    shiftsec_errors: int = 0
    checkov_timed_out: bool = False
    checkov_once: bool = False  # its warm-up run took longer than --slow seconds and is its only measurement
    network: dict[str, int] = field(default_factory=dict)  # tool -> AF_INET/AF_INET6 connects seen
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after the timed runs


def checked(run: Run | None, cmd: Sequence[str], out: Path | None = None) -> Run:
    """`run`, or exit when it timed out, failed, or did not write its report `out` (removed before each run: a
    Python traceback also exits 1, the code Checkov uses for "failed checks")."""
    if run is None or run.code not in (0, 1) or (out is not None and not out.exists()):
        detail = "timed out" if run is None else f"exit {run.code}: {run.stderr.strip()[-2000:]}"
        if run is not None and out is not None and not out.exists():
            detail += f" (no report written to {out})"
        raise SystemExit(f"{' '.join(cmd)}: {detail}")
    return run


def fresh(out: Path) -> Path:
    """Remove a report file or folder before a run, so that only this run's report can be read after it."""
    if out.is_dir():
        shutil.rmtree(out)
    else:
        out.unlink(missing_ok=True)
    return out


def spread(runs: Sequence[Run]) -> str:
    walls = [r.wall for r in runs]
    if len(walls) == 1:
        return f"{walls[0]:.2f} s (one run)"
    return f"{statistics.median(walls):.2f} s (min {min(walls):.2f}, max {max(walls):.2f})"


def median(runs: Sequence[Run]) -> float:
    return statistics.median(r.wall for r in runs)


SNAPSHOT: list[Path] = []  # a copy of src/ taken at the start, put first on shiftsec's path (see snapshot())


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith(("BC_", "CKV_", "CHECKOV_", "PRISMA_"))}
    if SNAPSHOT:
        env["PYTHONPATH"] = str(SNAPSHOT[0])
    return env


def snapshot(work: Path) -> str:
    """Copy src/ (the editable install's path) to `work` and put the copy first on the children's path, so that
    every shiftsec run of this benchmark measures the same code even while src/ is being edited; returns a short
    SHA-256 of the copied .py files."""
    target = work / "src"
    shutil.copytree(ROOT / "src", target, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    digest = hashlib.sha256()
    for path in sorted(target.rglob("*.py")):
        digest.update(str(path.relative_to(target)).encode() + b"\0" + path.read_bytes())
    SNAPSHOT.append(target)
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(target)], env=child_env(), check=True)
    where = subprocess.run([PYTHON, "-c", "import shiftsec; print(shiftsec.__file__)"], env=child_env(),
                           capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(target)), where
    return digest.hexdigest()[:12]


# --- Checkov in its own virtual environment ---------------------------------------------------------------------


def checkov_version(venv: Path) -> str | None:
    exe = venv / "bin" / "checkov"
    if not exe.exists():
        return None
    env = child_env() | CHECKOV_ENV
    proc = subprocess.run([str(exe), "--version"], capture_output=True, text=True, env=env, check=False)
    return proc.stdout.strip() if proc.returncode == 0 else None


def install_checkov(venv: Path, version: str) -> str:
    if checkov_version(venv) == version:
        return version
    print(f"Installing checkov=={version} into {venv} (its own virtual environment) ...", file=sys.stderr)
    venv.parent.mkdir(parents=True, exist_ok=True)
    steps = [[sys.executable, "-m", "venv", str(venv)],
             [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              f"checkov=={version}"]]
    for step in steps:
        proc = subprocess.run(step, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-20:])
            print(f"ERROR: could not install Checkov {version} ({' '.join(step)} exited {proc.returncode}):\n{tail}",
                  file=sys.stderr)
            raise SystemExit(2)
    found = checkov_version(venv)
    if found != version:
        print(f"ERROR: {venv}/bin/checkov reports version {found!r} after installing {version}", file=sys.stderr)
        raise SystemExit(2)
    return version


# --- corpora -----------------------------------------------------------------------------------------------------


def count_files(folder: Path, wanted: Callable[[Path], bool]) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file() and p.name not in NOT_MANIFESTS and wanted(p))


def generated_deployments(path: Path, count: int, seed: int = 7) -> None:
    """`count` Deployment documents in one file: a mix of hardened and careless pods (about a third privileged or
    on the host network, a third without resources, images with and without tags)."""
    rng = random.Random(seed)
    images = ("nginx", "nginx:1.27", "redis:7.2", "registry.example.com/app/api:v3.4.1", "busybox:latest",
              "postgres@sha256:" + "ab" * 32, "python:3.12-slim", "ghcr.io/example/worker")
    out = []
    for i in range(count):
        hardened = rng.random() < 0.3
        lines = [
            "apiVersion: apps/v1",
            "kind: Deployment",
            "metadata:",
            f"  name: app-{i}",
            f"  namespace: team-{i % 37}",
            "  labels:",
            f"    app: app-{i}",
            "spec:",
            f"  replicas: {rng.randint(1, 5)}",
            "  selector:",
            "    matchLabels:",
            f"      app: app-{i}",
            "  template:",
            "    metadata:",
            "      labels:",
            f"        app: app-{i}",
            "    spec:",
        ]
        if not hardened and rng.random() < 0.15:
            lines.append("      hostNetwork: true")
        if not hardened and rng.random() < 0.1:
            lines.append("      hostPID: true")
        if hardened:
            lines += ["      automountServiceAccountToken: false",
                      "      securityContext:",
                      "        runAsNonRoot: true",
                      "        runAsUser: 10001",
                      "        seccompProfile:",
                      "          type: RuntimeDefault"]
        lines.append("      containers:")
        for c in range(rng.randint(1, 2)):
            lines += [f"        - name: c{c}",
                      f"          image: {rng.choice(images)}",
                      "          ports:",
                      f"            - containerPort: {rng.choice((80, 443, 8080, 5432, 6379))}"]
            if hardened or rng.random() < 0.5:
                lines += ["          resources:",
                          "            requests:",
                          "              cpu: 100m",
                          "              memory: 128Mi",
                          "            limits:",
                          "              cpu: 500m",
                          "              memory: 256Mi"]
            if hardened:
                lines += ["          securityContext:",
                          "            allowPrivilegeEscalation: false",
                          "            readOnlyRootFilesystem: true",
                          "            capabilities:",
                          "              drop: [\"ALL\"]",
                          "          livenessProbe:",
                          "            httpGet: {path: /healthz, port: 8080}",
                          "          readinessProbe:",
                          "            httpGet: {path: /ready, port: 8080}"]
            elif rng.random() < 0.2:
                lines += ["          securityContext:",
                          "            privileged: true"]
            if rng.random() < 0.2:
                lines += ["          env:",
                          "            - name: LOG_LEVEL",
                          "              value: info"]
        out.append("\n".join(lines))
    path.write_text("---\n" + "\n---\n".join(out) + "\n")


def corpora(work: Path, parts: Sequence[str], docs: int) -> list[Corpus]:
    found = []
    if "k8s" in parts:
        folder = SHARED / "k8s" / "checkov"
        files = count_files(folder, lambda p: p.suffix in (".yaml", ".yml", ".json"))
        found.append(Corpus("k8s", "Checkov Kubernetes examples (`../shared/data/k8s/checkov`)", folder,
                            "kubernetes", files))
    if "dockerfile" in parts:
        folder = SHARED / "dockerfile" / "checkov"
        files = count_files(folder, lambda p: "dockerfile" in p.name.lower())
        found.append(Corpus("dockerfile", "Checkov Dockerfile examples (`../shared/data/dockerfile/checkov`)", folder,
                            "dockerfile", files))
    if "generated" in parts:
        folder = work / "generated"
        folder.mkdir()
        path = folder / "deployments.yaml"
        generated_deployments(path, docs)
        found.append(Corpus("generated", f"generated: one multi-document YAML file of {docs:,} Deployments "
                            f"({path.stat().st_size / MB:.1f} MB)", folder, "kubernetes", 1, f"{docs:,} documents"))
    return found


# --- the two tools ---------------------------------------------------------------------------------------------


def checkov_cmd(venv: Path, corpus: Corpus, out: Path) -> list[str]:
    # -o json prints the report on stdout; --output-file-path writes it to OUT/results_json.json instead
    return [str(venv / "bin" / "checkov"), "-d", str(corpus.folder), "--framework", corpus.framework, "-o", "json",
            "--quiet", "--compact", "--skip-download", "--output-file-path", str(out)]


def shiftsec_cmd(corpus: Corpus, out: Path) -> list[str]:
    return [SHIFTSEC, "config", str(corpus.folder), "--format", "json", "-o", str(out)]


def checkov_counts(out: Path) -> tuple[int, int, int]:
    """(failed checks, resources, parsing errors) over every report (one per framework)."""
    data = json.loads((out / "results_json.json").read_text())
    reports = data if isinstance(data, list) else [data]
    failed = resources = errors = 0
    for report in reports:
        if "results" not in report:  # an empty scan prints only a summary
            resources += report.get("resource_count", 0)
            continue
        failed += len(report["results"].get("failed_checks", []))
        resources += report["summary"].get("resource_count", 0)
        errors += report["summary"].get("parsing_errors", 0)
    return failed, resources, errors


def shiftsec_counts(out: Path) -> tuple[int, int]:
    data = json.loads(out.read_text())
    return len(data["findings"]), len(data.get("errors", []))


INET = re.compile(r"connect\(\d+, \{sa_family=AF_INET6?,[^}]*\}")


def network_connects(cmd: Sequence[str], env: dict[str, str], work: Path) -> int | None:
    """AF_INET/AF_INET6 connect() calls of `cmd` and its children (strace -f); None without strace."""
    strace = shutil.which("strace")
    if strace is None:
        return None
    log = work / "strace.log"
    subprocess.run([strace, "-f", "-qq", "-e", "trace=connect", "-o", str(log), *cmd], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    hits = INET.findall(log.read_text(errors="replace"))
    for hit in hits[:5]:
        print(f"  network attempt: {hit}", file=sys.stderr)
    return len(hits)


def bench(corpus: Corpus, venv: Path, work: Path, runs: int, timeout: float, slow: float, trace: bool) -> Result:
    env = child_env()
    ck_env = env | CHECKOV_ENV
    ck_out = work / f"checkov-{corpus.key}"
    ss_out = work / f"shiftsec-{corpus.key}.json"
    ck = checkov_cmd(venv, corpus, ck_out)
    ss = shiftsec_cmd(corpus, ss_out)
    result = Result(corpus)
    print(f"[{corpus.key}] warm-up ...", file=sys.stderr)
    if trace and corpus.key != "generated":  # a traced run of the large file would cost minutes more
        for tool, cmd, tool_env in (("checkov", ck, ck_env), ("shiftsec", ss, env)):
            seen = network_connects(cmd, tool_env, work)
            if seen is not None:
                result.network[tool] = seen
    ck_report = ck_out / "results_json.json"
    fresh(ck_out)
    first = measure(ck, ck_env, timeout=timeout)
    if first is None:
        result.checkov_timed_out = True
    else:
        checked(first, ck, ck_report)
        if first.wall > slow:  # too slow to repeat: this run is its one measurement
            print(f"[{corpus.key}] checkov took {first.wall:.0f} s (> {slow:.0f} s): timed once", file=sys.stderr)
            result.checkov.append(first)
            result.checkov_findings, result.checkov_resources, result.checkov_parse_errors = checkov_counts(ck_out)
            result.checkov_once = True
    fresh(ss_out)
    checked(measure(ss, env), ss, ss_out)
    load_before = os.getloadavg()[0]
    for i in range(runs):
        order = ("checkov", "shiftsec") if i % 2 == 0 else ("shiftsec", "checkov")
        for tool in order:
            if tool == "checkov":
                if result.checkov_timed_out or result.checkov_once:
                    continue
                fresh(ck_out)
                run = measure(ck, ck_env, timeout=timeout)
                if run is None:
                    result.checkov_timed_out = True
                    continue
                result.checkov.append(checked(run, ck, ck_report))
                result.checkov_findings, result.checkov_resources, result.checkov_parse_errors = \
                    checkov_counts(ck_out)
            else:
                fresh(ss_out)
                result.shiftsec.append(checked(measure(ss, env), ss, ss_out))
                result.shiftsec_findings, result.shiftsec_errors = shiftsec_counts(ss_out)
        print(f"[{corpus.key}] run {i + 1}/{runs}: checkov "
              f"{result.checkov[-1].wall if result.checkov else float('nan'):.2f} s"
              f"{' (the one run)' if result.checkov_once else ''}, "
              f"shiftsec {result.shiftsec[-1].wall:.2f} s", file=sys.stderr)
    result.load = (load_before, os.getloadavg()[0])
    return result


# --- profile of the shiftsec run -------------------------------------------------------------------------------


def import_seconds(stderr: str) -> float:
    """Total of the top-level imports' cumulative times from `-X importtime` output."""
    total = 0
    for line in stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if m and not m.group(3):
            total += int(m.group(2))
    return total / 1e6


def profile(corpus: Corpus, work: Path, scan: float) -> list[str]:
    """Where the shiftsec run's time goes: interpreter start, imports, and the rest by cProfile."""
    env = child_env()
    out = work / "profile.json"
    args = ["-m", "shiftsec", "config", str(corpus.folder), "--format", "json", "-o", str(out)]
    bare = statistics.median(checked(measure([PYTHON, "-S", "-c", "pass"], env), ["python"]).wall for _ in range(5))
    python_c = statistics.median(checked(measure([PYTHON, "-c", "pass"], env), ["python"]).wall for _ in range(5))
    version = statistics.median(checked(measure([SHIFTSEC, "--version"], env), ["shiftsec"]).wall for _ in range(5))
    importtime = [subprocess.run([PYTHON, "-X", "importtime", *args], env=env, capture_output=True, text=True,
                                 check=False) for _ in range(3)]
    imports = statistics.median(import_seconds(p.stderr) for p in importtime)
    heavy: dict[str, int] = {}
    for line in importtime[-1].stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if m and len(m.group(3)) <= 2:  # top-level and first nesting
            heavy[m.group(4)] = max(heavy.get(m.group(4), 0), int(m.group(2)))
    top_imports = sorted(heavy.items(), key=lambda kv: -kv[1])[:6]
    # every module the scan imported, imported alone (no scan, no profiler): start-up + imports in a fresh process
    modules = sorted({m.group(4) for line in importtime[-1].stderr.splitlines()
                      if (m := re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line))
                      and not m.group(3) and not m.group(4).startswith("__")})
    import_cmd = [PYTHON, "-c", "import " + ", ".join(modules)]
    startup = statistics.median(checked(measure(import_cmd, env), ["python -c import ..."]).wall for _ in range(5))
    stats_file = work / "shiftsec.prof"
    subprocess.run([PYTHON, "-m", "cProfile", "-o", str(stats_file), *args], env=env, capture_output=True,
                   check=False)
    stats = pstats.Stats(str(stats_file))
    total = stats.total_tt  # type: ignore[attr-defined]
    buckets: dict[str, float] = {}
    for (filename, _, fn), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        if filename == "~" and "acquire" in fn:
            bucket = "waiting for the forked worker processes (their work is not profiled)"
        elif "/yaml/" in filename or "_yaml" in filename:
            bucket = "YAML parsing (PyYAML, libyaml)"
        elif "/shiftsec/misconfig/" in filename or "/shiftsec/scanners/misconfig" in filename:
            bucket = "shiftsec checks (misconfig/)"
        elif "/shiftsec/reporters/" in filename or "orjson" in filename:
            bucket = "report"
        elif "/shiftsec/" in filename:
            bucket = "other shiftsec code"
        elif filename == "~":
            bucket = "built-ins (C functions: reading, regex, ...)"
        elif "<frozen importlib" in filename:
            bucket = "import machinery"
        else:
            bucket = "other libraries and standard library"
        buckets[bucket] = buckets.get(bucket, 0.0) + tottime
    top_functions = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:8]  # type: ignore[attr-defined]
    lines = [
        f"Where the shiftsec run on this corpus goes (same machine, same run; `{Path(PYTHON).name} -X importtime` "
        f"and cProfile of `python -m shiftsec config DIR --format json`):",
        "",
        f"- `python -S -c pass` {bare:.3f} s, `python -c pass` (site, .pth files) {python_c:.3f} s, "
        f"`shiftsec --version` {version:.3f} s, the whole scan {scan:.3f} s (median above);",
        f"- a fresh process that only imports the {len(modules)} top-level modules the scan imports (no scan, no "
        f"profiler): {startup:.3f} s, i.e. start-up and imports are {startup / scan:.0%} of the scan's wall time and "
        f"the scan proper (walk, YAML, checks, report) about {max(scan - startup, 0):.2f} s;",
        f"- imports of the scan run (`-X importtime`, top-level cumulative, median of 3): {imports:.3f} s; "
        "largest: " + ", ".join(f"`{name}` {us / 1e3:.0f} ms" for name, us in top_imports) + ";",
        f"- cProfile total {total:.3f} s (profiler overhead included), by own time: "
        + ", ".join(f"{name} {sec:.3f} s ({sec / total:.0%})"
                    for name, sec in sorted(buckets.items(), key=lambda kv: -kv[1])) + ";",
        "- heaviest functions by own time: "
        + ", ".join(f"`{Path(f).name}:{ln}({fn})` {tt:.3f} s" if f != "~" else f"`{fn}` {tt:.3f} s"
                    for (f, ln, fn), (_, _, tt, _, _) in top_functions) + ".",
    ]
    return lines


# --- output ----------------------------------------------------------------------------------------------------


def table(results: Sequence[Result], runs: int, version: str) -> list[str]:
    lines = [f"| corpus | files | Checkov {version} (median of {runs}) | Checkov max RSS | Checkov failed checks "
             f"| shiftsec (median of {runs}) | shiftsec max RSS | shiftsec findings | shiftsec faster by |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        files = f"{r.corpus.files:,}" + (f" ({r.corpus.documents})" if r.corpus.documents else "")
        if r.checkov:
            ck = spread(r.checkov)
            ck_rss = f"{max(x.rss for x in r.checkov):,.0f} MB"
            ck_found = f"{r.checkov_findings:,} ({r.checkov_resources:,} resources, {r.checkov_parse_errors} " \
                       f"parsing errors)"
            if r.checkov_timed_out:
                ck += " (a later run timed out)"
            ratio = f"{median(r.checkov) / median(r.shiftsec):.1f}×"
        else:
            ck, ck_rss, ck_found, ratio = "timed out", "", "", "n/a"
        lines.append(f"| {r.corpus.label} | {files} | {ck} | {ck_rss} | {ck_found} | {spread(r.shiftsec)} "
                     f"| {max(x.rss for x in r.shiftsec):,.0f} MB | {r.shiftsec_findings:,}"
                     + (f" ({r.shiftsec_errors} errors)" if r.shiftsec_errors else "") + f" | {ratio} |")
    return lines


def git_state() -> str:
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          check=False).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "--", "src"],
                           capture_output=True, text=True, check=False).stdout.strip()
    return f"commit {head}" + (" with uncommitted changes under src/" if dirty else "")


def wrap(line: str, width: int = 115) -> str:
    """Prose wrapped like the rest of BENCHMARKS.md; table rows, headings and indented commands kept whole."""
    if not line or line.startswith(("|", "#", "    ")):
        return line
    indent = "  " if line.startswith("- ") else ""
    return textwrap.fill(line, width, subsequent_indent=indent, break_on_hyphens=False, break_long_words=False)


def write_section(text: str, section: str = SECTION) -> None:
    """Replace the BENCHMARKS.md section headed `section` with `text` (appended when missing)."""
    current = BENCHMARKS_MD.read_text()
    lines = current.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == section), None)
    if start is None:
        new = current.rstrip("\n") + "\n\n" + text
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        tail = "".join(lines[end:])
        new = "".join(lines[:start]) + text + ("\n" + tail if tail else "")
    BENCHMARKS_MD.write_text(new)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--checkov-venv", type=Path, default=DEFAULT_VENV)
    parser.add_argument("--checkov-version", default=CHECKOV_VERSION)
    parser.add_argument("--parts", default="k8s,dockerfile,generated")
    parser.add_argument("--docs", type=int, default=10_000, help="Deployments in the generated file")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per Checkov run before it is killed")
    parser.add_argument("--slow", type=float, default=120,
                        help="a Checkov warm-up run longer than this (seconds) is its only timed run on that corpus")
    parser.add_argument("--no-snapshot", action="store_true",
                        help="run shiftsec from src/ itself rather than from a copy taken at the start")
    parser.add_argument("--no-trace", action="store_true", help="skip the strace check for network attempts")
    parser.add_argument("--profile", choices=("auto", "always", "never"), default="auto",
                        help="profile the shiftsec run on the Kubernetes examples (auto: when below the target)")
    parser.add_argument("--write", action="store_true", help=f"update the '{SECTION}' section of BENCHMARKS.md")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    command = "    .venv/bin/python benchmarks/bench_misconfig.py " + " ".join(sys.argv[1:])

    if importlib.util.find_spec("checkov") is not None:
        print("WARNING: checkov is importable from the project's own environment; it belongs in its own venv",
              file=sys.stderr)
    venv = args.checkov_venv.expanduser().resolve()
    version = install_checkov(venv, args.checkov_version)
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "src")], env=child_env(), check=True)

    work = Path(tempfile.mkdtemp(prefix="bench-misconfig-"))
    try:
        code = git_state() + (f" (snapshot of src/ taken at the start, .py SHA-256 {snapshot(work)})"
                              if not args.no_snapshot else "")
        results = [bench(c, venv, work, args.runs, args.timeout, args.slow, not args.no_trace)
                   for c in corpora(work, parts, args.docs)]
        k8s = next((r for r in results if r.corpus.key == "k8s"), None)
        verdict = []
        note: list[str] = []
        if k8s is not None and k8s.checkov:
            ratio = median(k8s.checkov) / median(k8s.shiftsec)
            met = ratio >= TARGET
            verdict = [f"**Target** (≥ {TARGET:.0f}× faster than Checkov on its {k8s.corpus.files} Kubernetes "
                       f"examples, same files, same run): **{'met' if met else 'not met'}**, {ratio:.1f}× "
                       f"(Checkov {median(k8s.checkov):.2f} s, shiftsec {median(k8s.shiftsec):.2f} s, medians of "
                       f"{args.runs})."]
            if args.profile == "always" or (args.profile == "auto" and not met):
                note = profile(k8s.corpus, work, median(k8s.shiftsec))
        network = []
        for r in results:
            for tool, seen in r.network.items():
                network.append(f"{tool} {seen} on {r.corpus.key}")
        net_line = ("Network: AF_INET/AF_INET6 `connect` calls seen by strace in one extra untimed run per example "
                    "corpus: "
                    + ", ".join(network) + ".") if network else "Network: not traced (no strace or `--no-trace`)."
        rows = table(results, args.runs, version)
        loads = "Load average (1 min) before / after each corpus's timed runs: " + ", ".join(
            f"{r.corpus.key} {r.load[0]:.2f} / {r.load[1]:.2f}" for r in results) + "."
        print("\n".join(rows))
        print()
        for line in [*verdict, "", loads, net_line, "", *note]:
            print(line)
        if args.write:
            when = datetime.date.today().isoformat()
            one, five, _ = os.getloadavg()
            section = [
                SECTION, "",
                f"Checkov {version} (its own virtual environment, created by the script) beside `shiftsec config`, "
                "same files, same run:", "",
                command, "",
                f"Measured on {when}, {code}, on this machine kind ({os.cpu_count()} cores, "
                f"{platform.system()} {platform.release()}, Python {platform.python_version()}; load average "
                f"{one:.2f} / {five:.2f} at the end). Each tool runs {args.runs} times in fresh processes, "
                "alternating with the other, after one untimed warm-up run of each (a Checkov warm-up run longer "
                f"than {args.slow:.0f} s is instead its only measurement on that corpus, marked \"one run\"); "
                "wall time of the real command "
                "(interpreter start included), max RSS from GNU time (largest single process).", "",
                "Commands: `checkov -d DIR --framework kubernetes|dockerfile -o json --quiet --compact "
                "--skip-download --output-file-path OUT` with `BC_SKIP_MAPPING=TRUE "
                "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false CKV_SKIP_PACKAGE_UPDATE_CHECK=true` and no API key; "
                "`shiftsec config DIR --format json -o OUT`. Checkov's figure is its failed checks "
                "(`results.failed_checks`), shiftsec's its findings: the two rule sets differ, so the counts are "
                "not comparable as a measure of quality.", "",
                *rows, "",
                *verdict, "",
                loads, "",
                net_line, "",
                *([*note, ""] if note else []),
            ]
            write_section("\n".join(wrap(line) for line in section))
            print(f"\nUpdated the '{SECTION}' section of {BENCHMARKS_MD}", file=sys.stderr)
    finally:
        if args.keep:
            print(f"work folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
