"""50 distinct secrets planted across files and commits of a real git repository made here.

Every one is found by `shiftsec fs --scanners secret` (the tree) and by `shiftsec repo --history` (the commits
that added them, with the right commit, author and line), the two scans agree on fingerprints, and none of the
raw values appears anywhere in any output format. Secrets are generated at random in well-known token formats,
so no real secret sits in the repository.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import shlex
import string
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from shiftsec.cli import run
from tests.conftest import REPO_ROOT

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B32 = string.ascii_uppercase + "234567"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _r(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _jwt(rng: random.Random) -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    head = part({"alg": "HS256", "typ": "JWT"})
    body = part({"sub": _r(rng, ALNUM, 12), "name": _r(rng, string.ascii_letters, 8), "iat": rng.randrange(10**9)})
    return f"{head}.{body}.{_r(rng, ALNUM + '_-', 43)}"


def _pem(rng: random.Random, kind: str) -> tuple[str, str]:
    body = base64.b64encode(rng.randbytes(900)).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----", "\n".join(lines)


# Each maker returns (the text to put in a file, the secret value shiftsec should report).
Maker = Callable[[random.Random], tuple[str, str]]


def _token(template: str, make: Callable[[random.Random], str]) -> Maker:
    def maker(rng: random.Random) -> tuple[str, str]:
        value = make(rng)
        return template.format(value), value

    return maker


MAKERS: dict[str, Maker] = {
    "github-pat": _token("GITHUB_TOKEN={}", lambda r: "ghp_" + _r(r, ALNUM, 36)),
    "github-fine-grained-pat": _token('token = "{}"', lambda r: "github_pat_" + _r(r, ALNUM, 22) + "_"
                                      + _r(r, ALNUM, 59)),
    "gitlab-pat": _token("gitlab_token: {}", lambda r: "glpat-" + _r(r, ALNUM + "_-", 20)),
    "aws-access-key-id": _token("aws_access_key_id = {}", lambda r: "AKIA" + _r(r, B32, 16)),
    "stripe-live-secret-key": _token("STRIPE_SECRET={}", lambda r: "sk_live_" + _r(r, ALNUM, 24)),
    "slack-bot-token": _token("slack: {}", lambda r: f"xoxb-{_r(r, string.digits, 12)}-{_r(r, string.digits, 13)}"
                              f"-{_r(r, ALNUM, 24)}"),
    "slack-webhook-url": _token("webhook: {}", lambda r: "https://hooks.slack.com/services/T" + _r(r, B32, 8)
                                + "/B" + _r(r, B32, 8) + "/" + _r(r, ALNUM, 24)),
    "npm-access-token": _token("//registry.npmjs.org/:_authToken={}", lambda r: "npm_" + _r(r, ALNUM, 36)),
    "pypi-upload-token": _token("password = {}", lambda r: "pypi-AgEIcHlwaS5vcmc" + _r(r, ALNUM + "_-", 70)),
    "openai-api-key": _token('OPENAI_API_KEY="{}"', lambda r: "sk-proj-" + _r(r, ALNUM, 40) + "T3BlbkFJ"
                             + _r(r, ALNUM, 40)),
    "anthropic-api-key": _token("ANTHROPIC_API_KEY={}", lambda r: "sk-ant-api03-" + _r(r, ALNUM + "_-", 93) + "AA"),
    "gcp-api-key": _token('"api_key": "{}",', lambda r: "AIza" + _r(r, ALNUM + "_-", 35)),
    "sendgrid-api-token": _token("SENDGRID_API_KEY={}", lambda r: f"SG.{_r(r, ALNUM, 22)}.{_r(r, ALNUM, 43)}"),
    "twilio-api-key": _token("twilio_key = '{}'", lambda r: "SK" + _r(r, HEX, 32)),
    "digitalocean-pat": _token("do_token: {}", lambda r: "dop_v1_" + _r(r, HEX, 64)),
    "shopify-access-token": _token("SHOPIFY_TOKEN={}", lambda r: "shpat_" + _r(r, HEX, 32)),
    "doppler-api-token": _token("DOPPLER_TOKEN={}", lambda r: "dp.pt." + _r(r, ALNUM, 43)),
    "vault-service-token": _token("VAULT_TOKEN={}", lambda r: "hvs." + _r(r, ALNUM, 95)),
    "linear-api-key": _token("linear = {}", lambda r: "lin_api_" + _r(r, ALNUM, 40)),
    "age-secret-key": _token("# age key\n{}", lambda r: "AGE-SECRET-KEY-1" + _r(r, BECH32.upper(), 58)),
    "jwt": _token("Authorization: Bearer {}", _jwt),
    "postgres-uri-password": _token("DATABASE_URL=postgres://app:{}@db.internal:5432/app",
                                    lambda r: _r(r, ALNUM, 20)),
    "generic-password": _token('db_password = "{}"', lambda r: _r(r, ALNUM, 10) + "!" + _r(r, ALNUM, 9)),
    "private-key-rsa": lambda r: _pem(r, "RSA PRIVATE KEY"),
    "private-key-openssh": lambda r: _pem(r, "OPENSSH PRIVATE KEY"),
}

# Where secrets go: a mix of config, code, CI and docs files, several in nested folders.
FILES = [
    ".env", "config/settings.py", "deploy/values.yaml", "ci/release.sh", ".github/workflows/ci.yml",
    "docs/setup.md", "infra/main.tf", "src/app/client.js", "Dockerfile", "keys/service.pem",
]


@dataclass(frozen=True)
class Planted:
    rule: str
    path: str
    secret: str
    commit: int  # index of the commit that added it


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    base = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={**base, **(env or {})}).stdout.strip()


def _build(repo: Path) -> tuple[list[Planted], list[str], list[str]]:
    """Ten commits by two authors; each adds five secrets (two of each maker overall) to files created earlier or
    now, between lines of ordinary text. A last commit adds and the next removes two more secrets, which
    therefore live only in history. Returns the 50 planted secrets, the commit shas, and the two removed ones."""
    rng = random.Random(20261123)
    _git(repo, "init", "-q", "-b", "main")
    makers = [name for name in MAKERS for _ in range(2)]
    rng.shuffle(makers)
    contents: dict[str, list[str]] = {}
    planted: list[Planted] = []
    shas: list[str] = []
    for index in range(10):
        for name in makers[index * 5 : index * 5 + 5]:
            text, secret = MAKERS[name](rng)
            path = rng.choice(FILES)
            lines = contents.setdefault(path, [f"# {path}"])
            lines.extend([f"note {len(lines)} about the setup", text, ""])
            planted.append(Planted(name, path, secret, index))
        for path, lines in contents.items():
            (repo / path).parent.mkdir(parents=True, exist_ok=True)
            (repo / path).write_text("\n".join(lines) + "\n")
        shas.append(_commit(repo, f"change {index}", "Ann Dev" if index % 2 == 0 else "Bo Ops", index))
    removed = ["ghp_" + _r(rng, ALNUM, 36), "glpat-" + _r(rng, ALNUM, 20)]
    (repo / "tmp.env").write_text(f"GITHUB_TOKEN={removed[0]}\nGITLAB_TOKEN={removed[1]}\n")
    _commit(repo, "oops", "Ann Dev", 10)
    _git(repo, "rm", "-q", "tmp.env")
    _commit(repo, "remove oops", "Ann Dev", 11)
    return planted, shas, removed


def _commit(repo: Path, message: str, author: str, day: int) -> str:
    date = f"2026-10-{day + 1:02d}T12:00:00+00:00"
    env = {"GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": f"{author.split(maxsplit=1)[0].lower()}@example.org",
           "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": "ci@example.org",
           "GIT_COMMITTER_DATE": date}
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message, env=env)
    return _git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def planted_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Planted], list[str], list[str]]:
    repo = tmp_path_factory.mktemp("planted") / "repo"
    repo.mkdir()
    planted, shas, removed = _build(repo)
    return repo, planted, shas, removed


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    code, out = _run(capsys, *argv, "-f", "json")
    assert code == 0, out
    report: dict[str, object] = json.loads(out)
    return report


def _found(report: dict[str, object]) -> dict[tuple[str, str], dict[str, object]]:
    """(path, secret sha256) -> finding."""
    findings = report["findings"]
    assert isinstance(findings, list)
    return {(f["location"]["path"], f["secret_sha256"]): f for f in findings}


def test_fifty_distinct_secrets_planted(planted_repo: tuple[Path, list[Planted], list[str], list[str]]) -> None:
    _, planted, shas, _ = planted_repo
    assert len(planted) == 50 and len({p.secret for p in planted}) == 50
    assert len({p.path for p in planted}) >= 8 and len({p.commit for p in planted}) == 10 == len(shas)


def test_tree_and_history_find_all_fifty(capsys: pytest.CaptureFixture[str],
                                         planted_repo: tuple[Path, list[Planted], list[str], list[str]]) -> None:
    repo, planted, shas, removed = planted_repo
    tree = _found(_json(capsys, "fs", str(repo), "--scanners", "secret"))
    history = _found(_json(capsys, "repo", str(repo), "--history"))
    for p in planted:
        key = (p.path, _sha256(p.secret))
        assert key in tree, f"tree scan missed {p.rule} in {p.path}"
        assert key in history, f"history scan missed {p.rule} in {p.path}"
        finding = history[key]
        assert finding["rule_id"] == tree[key]["rule_id"] == p.rule
        assert finding["fingerprint"] == tree[key]["fingerprint"]  # a baseline of one applies to the other
        commit = finding["location"]["commit"]
        assert commit["sha"] == shas[p.commit], p
        assert commit["author"] == ("Ann Dev" if p.commit % 2 == 0 else "Bo Ops")
        assert commit["date"] == f"2026-10-{p.commit + 1:02d}T12:00:00+00:00"
        # the same line in history and in the tree: lines are only ever appended in this repository
        assert finding["location"]["line"] == tree[key]["location"]["line"]
    # the two secrets added and removed again live only in history
    for value in removed:
        assert ("tmp.env", _sha256(value)) in history
        assert ("tmp.env", _sha256(value)) not in tree
    # nothing else is reported: every finding is one of the planted secrets
    planted_keys = {(p.path, _sha256(p.secret)) for p in planted}
    assert set(tree) == planted_keys
    assert set(history) == planted_keys | {("tmp.env", _sha256(v)) for v in removed}


def test_since_and_range_cover_only_their_commits(
        capsys: pytest.CaptureFixture[str], planted_repo: tuple[Path, list[Planted], list[str], list[str]]) -> None:
    repo, planted, shas, _ = planted_repo
    since = _found(_json(capsys, "repo", str(repo), "--since", shas[6]))
    later = {(p.path, _sha256(p.secret)) for p in planted if p.commit > 6}
    assert later <= set(since) and not any(p.commit <= 6 and (p.path, _sha256(p.secret)) in since for p in planted)
    ranged = _found(_json(capsys, "repo", str(repo), "--range", f"{shas[1]}..{shas[3]}"))
    assert set(ranged) == {(p.path, _sha256(p.secret)) for p in planted if p.commit in (2, 3)}


def test_no_output_format_contains_a_raw_secret(
        capsys: pytest.CaptureFixture[str], planted_repo: tuple[Path, list[Planted], list[str], list[str]],
        tmp_path: Path) -> None:  # fmt: skip
    repo, planted, _, removed = planted_repo
    outputs = []
    for fmt in ("table", "json", "sarif", "markdown"):
        outputs.append(_run(capsys, "repo", str(repo), "-f", fmt)[1])
        outputs.append(_run(capsys, "fs", str(repo), "--scanners", "secret", "-f", fmt)[1])
    for fmt in ("cyclonedx", "spdx"):
        outputs.append(_run(capsys, "fs", str(repo), "--scanners", "secret", "-f", fmt)[1])
    written = tmp_path / "report.json"
    _run(capsys, "repo", str(repo), "-f", "json", "-o", str(written))
    outputs.append(written.read_text())
    assert all(outputs)
    for value in [p.secret for p in planted] + removed:
        probes = [line for line in value.splitlines() if len(line) >= 16] or [value]  # a PEM body: each line
        for probe in probes:
            for text in outputs:
                assert probe not in text and probe[4:] not in text, "a raw secret reached the output"


def test_staged_gate_for_pre_commit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The pre-commit hook's command: exit 1 on a staged secret, 0 when only unstaged or clean changes exist."""
    repo = tmp_path / "hook"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("hello\n")
    _git(repo, "add", "README.md")
    assert _run(capsys, "repo", str(repo), "--staged", "--fail-on", "low")[0] == 0
    token = "ghp_" + _r(random.Random(5), ALNUM, 36)
    (repo / "settings.py").write_text(f'TOKEN = "{token}"\n')
    assert _run(capsys, "repo", str(repo), "--staged", "--fail-on", "low")[0] == 0  # not staged yet
    _git(repo, "add", "settings.py")
    code, out = _run(capsys, "repo", str(repo), "--staged", "--fail-on", "low")
    assert code == 1
    assert "settings.py:1" in out and "ghp_… (40 characters)" in out and token[4:] not in out
    (repo / "settings.py").write_text(f'TOKEN = "{token}"  # shiftsec:ignore=github-pat\n')
    _git(repo, "add", "settings.py")
    assert _run(capsys, "repo", str(repo), "--staged", "--fail-on", "low")[0] == 0


def test_pre_commit_hook_entry_blocks_a_staged_secret(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped .pre-commit-hooks.yaml runs, as pre-commit does (from the repository root, no file names),
    a command that fails on a staged secret."""
    (hook,) = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "shiftsec-secrets" and hook["pass_filenames"] is False and hook["language"] == "python"
    program, *argv = shlex.split(hook["entry"])
    assert program == "shiftsec"
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    monkeypatch.chdir(repo)
    (repo / "deploy.sh").write_text("export AWS_ACCESS_KEY_ID=AKIA" + _r(random.Random(9), B32, 16) + "\n")
    _git(repo, "add", "deploy.sh")
    code, out = _run(capsys, *argv)
    assert code == 1 and "deploy.sh:1" in out and "aws-access-key-id" in out
    _git(repo, "rm", "-q", "--cached", "deploy.sh")
    assert _run(capsys, *argv)[0] == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--since", "HEAD", "--staged"], "shiftsec: error: --since and --staged: choose one"),
        (["--range", "HEAD"], "shiftsec: error: --range 'HEAD': expected A..B (or A...B)"),
        (["--since", "nope"], "shiftsec: error: --since 'nope': no such commit in"),
    ],
)
def test_repo_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str],
                           message: str) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "a").write_text("a\n")
    _commit(repo, "first", "Ann Dev", 0)
    code, out = _run(capsys, "repo", str(repo), *argv)
    assert code == 2 and out.startswith(message) and len(out.strip().splitlines()) <= 2


def test_repo_on_a_plain_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out = _run(capsys, "repo", str(tmp_path))
    assert code == 2
    assert out == f"shiftsec: error: {tmp_path}: not a git repository\nhint: use `shiftsec fs` for a plain folder\n"


def test_gitleaks_config_commit_allowlists(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           planted_repo: tuple[Path, list[Planted], list[str], list[str]]) -> None:
    """A gitleaks config used unchanged: commits its global allowlist names are skipped for every rule, commits a
    rule's allowlist names for that rule only (by full hash or a prefix of 7+ characters)."""
    repo, planted, shas, _ = planted_repo
    config = tmp_path / "gitleaks.toml"
    config.write_text(f"""
[allowlist]
commits = ["{shas[0]}", "{shas[1][:9]}"]

[[rules]]
id = "github-pat"
regex = '''ghp_[0-9a-zA-Z]{{36}}'''
keywords = ["ghp_"]
[[rules.allowlists]]
commits = ["{shas[7]}"]

[[rules]]
id = "gitlab-pat"
regex = '''glpat-[\\w-]{{20}}'''
keywords = ["glpat-"]
""")
    found = _found(_json(capsys, "repo", str(repo), "--secret-config", str(config)))
    tokens = {(p.rule, p.commit): (p.path, _sha256(p.secret))
              for p in planted if p.rule in ("github-pat", "gitlab-pat")}
    # this repository holds github-pat in commits 1 and 7, gitlab-pat in commits 7 and 8
    assert sorted(tokens) == [("github-pat", 1), ("github-pat", 7), ("gitlab-pat", 7), ("gitlab-pat", 8)]
    expected = {tokens["gitlab-pat", 7], tokens["gitlab-pat", 8]} | {("tmp.env", _sha256(v)) for v in planted_repo[3]}
    assert set(found) == expected
