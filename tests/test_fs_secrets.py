"""`shiftsec fs --scanners secret` end to end: planted secrets are found, and no output format ever contains
one. The secrets are generated here at random (well-known token formats), so no real secret sits in the repo."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
from pathlib import Path

import pytest

from shiftsec.cli import run

ALNUM = string.ascii_letters + string.digits


def _rand(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _planted(rng: random.Random) -> dict[str, tuple[str, str]]:
    """file -> (content, the secret value in it)."""
    github = "ghp_" + _rand(rng, ALNUM, 36)
    aws = "AKIA" + _rand(rng, string.ascii_uppercase + "234567", 16)
    stripe = "sk_live_" + _rand(rng, ALNUM, 24)
    slack = f"xoxb-{_rand(rng, string.digits, 12)}-{_rand(rng, string.digits, 13)}-{_rand(rng, ALNUM, 24)}"
    gitlab = "glpat-" + _rand(rng, ALNUM + "_-", 20)
    key_body = base64.b64encode(rng.randbytes(600)).decode()
    pem = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(
        key_body[i : i + 64] for i in range(0, len(key_body), 64)) + "\n-----END RSA PRIVATE KEY-----"
    return {
        "ci/deploy.sh": (f"#!/bin/sh\nexport GITHUB_TOKEN={github}\n", github),
        "config/aws.ini": (f"[default]\naws_access_key_id = {aws}\n", aws),
        "app/settings.py": (f'STRIPE_KEY = "{stripe}"\n', stripe),
        "notify.yaml": (f"slack:\n  token: {slack}\n", slack),
        ".env": (f"GITLAB_TOKEN={gitlab}\n", gitlab),
        "keys/id_rsa": (pem + "\n", pem),
    }


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[str, str]]]:
    root = tmp_path_factory.mktemp("secrets")
    planted = _planted(random.Random(20261123))
    for rel, (content, _) in planted.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content)
    ignored = "ghp_" + _rand(random.Random(7), ALNUM, 36)
    (root / "docs").mkdir()
    (root / "docs" / "example.md").write_text(f"token: {ignored}  # shiftsec:ignore\n")
    (root / "package-lock.json").write_text(json.dumps({"lockfileVersion": 3, "packages": {"": {"x": ignored}}}))
    (root / "image.png").write_bytes(b"\x89PNG\r\n" + ignored.encode())
    return root, planted


def _out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = run(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in out + err
    return out


def test_planted_secrets_are_found_and_never_shown(capsys: pytest.CaptureFixture[str],
                                                   tree: tuple[Path, dict[str, tuple[str, str]]]) -> None:
    root, planted = tree
    report = json.loads(_out(capsys, "fs", str(root), "--scanners", "secret", "-f", "json"))
    found = {(f["location"]["path"], f["secret_sha256"]) for f in report["findings"]
             if f["type"] == "secret" and f["status"] == "open"}
    # the ignored line is reported suppressed (kind inline, where the comment is), never open
    assert [(f["location"]["path"], f["suppression"]["kind"], f["suppression"]["source"])
            for f in report["findings"] if f["status"] == "suppressed"] == [("docs/example.md", "inline",
                                                                              "docs/example.md:1")]
    for rel, (_, secret) in planted.items():
        if "PRIVATE KEY" in secret:  # a key's secret is a bounded prefix of its body (RE2 caps repetitions)
            assert any(path == rel for path, _ in found), rel
        else:
            assert (rel, hashlib.sha256(secret.encode()).hexdigest()) in found, rel
    # the lockfile and the binary file hold a token too: not reported
    assert {path for path, _ in found} == set(planted)
    assert all(f["evidence"] and f["package"] is None for f in report["findings"])
    outputs = [json.dumps(report)] + [_out(capsys, "fs", str(root), "--scanners", "secret", "-f", fmt)
                                      for fmt in ("table", "sarif", "markdown")]
    for rel, (_, secret) in planted.items():
        probe = secret.splitlines()[1] if "\n" in secret else secret  # a PEM body line, or the token itself
        assert all(probe not in text and probe[4:] not in text for text in outputs), rel


def test_fixture_and_generated_files_are_opt_in(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    token = "ghp_" + _rand(random.Random(11), ALNUM, 36)
    for rel in ("src/app.py", "tests/fixtures/config.py", "web/vendor.min.js"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(f'TOKEN = "{token}"\n')

    def paths(*options: str) -> list[str]:
        report = json.loads(_out(capsys, "fs", str(tmp_path), "--scanners", "secret", "-f", "json", *options))
        assert report["summary"]["secrets_searched"] == len(report["findings"])
        return sorted(f["location"]["path"] for f in report["findings"])

    assert paths() == ["src/app.py"]
    assert paths("--secret-fixture-dirs", "") == ["src/app.py", "tests/fixtures/config.py"]
    assert paths("--secret-include-generated") == ["src/app.py", "web/vendor.min.js"]
    assert paths("--secret-fixture-dirs", "", "--secret-include-generated") == [
        "src/app.py", "tests/fixtures/config.py", "web/vendor.min.js"]
    assert run(["fs", str(tmp_path), "--scanners", "secret", "--secret-fixture-dirs", "a/b"]) == 2
    assert "--secret-fixture-dirs 'a/b': folder names, not paths" in capsys.readouterr().err
