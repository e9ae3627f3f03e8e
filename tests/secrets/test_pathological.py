"""The shipped secret rules on the shapes of benchmarks/bench_secrets.py's pathological inputs, at small scale:
nested base64, invalid UTF-8, one long line full of keyword hits, a file over the size cap. Behaviour only (no
timing). The tokens are built here at random in well-known formats, so no real secret sits in the repo."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
from pathlib import Path

import pytest

from shiftsec.cli import run
from shiftsec.engine import load_secret_rules
from shiftsec.secrets import engine as engine_module
from shiftsec.secrets.engine import Engine

ALNUM = string.ascii_letters + string.digits


def _github_token(rng: random.Random) -> str:
    return "ghp_" + "".join(rng.choices(ALNUM, k=36))


@pytest.fixture(scope="module")
def xdg_cache(request: pytest.FixtureRequest) -> Path:
    """One Hyperscan cache for the engine below and the CLI runs (XDG_CACHE_HOME), kept between test runs."""
    return Path(request.config.cache.mkdir("shiftsec-xdg"))


@pytest.fixture(scope="module")
def engine(xdg_cache: Path) -> Engine:
    rules, allowlist = load_secret_rules(None)
    return Engine(rules, allowlist, cache_dir=str(xdg_cache / "shiftsec" / "hyperscan"))


def _found(engine: Engine, data: bytes, path: str = "config.txt") -> list[tuple[str, int, int, str]]:
    return [(m.rule_id, m.line, m.column, m.secret) for m in engine.scan(data, path)]


def test_nested_base64_is_not_decoded(engine: Engine) -> None:
    """shiftsec does not decode base64: a token wrapped once or more is not reported, and the encoded body
    (one long high-entropy line, bare or assigned to a key) yields no false positive either."""
    rng = random.Random(1)
    token = _github_token(rng)
    config = f"[github]\nuser = bench\ntoken = {token}\n".encode()
    assert _found(engine, config) == [("github-pat", 3, 9, token)]
    data = config
    for _ in range(3):
        data = base64.b64encode(data)
        assert _found(engine, data) == []
        assert _found(engine, b"value: " + data + b"\n", "values.yaml") == []
    assert token.encode() not in data and len(data) > 2 * len(config)


def test_token_after_invalid_utf8_is_found_on_its_line(engine: Engine) -> None:
    rng = random.Random(2)
    token = _github_token(rng)
    # Latin-1 text: mostly ASCII, a few bytes that are not UTF-8
    latin1 = "Café résumé naïve façade: déjà vu.\n".encode("latin-1") * 200
    data = b"header\n" + latin1 + b"export GITHUB_TOKEN=" + token.encode() + b"\n"
    assert b"\x00" not in data
    assert _found(engine, data, "latin1.env") == [("github-pat", 202, 21, token)]
    # on the same line as invalid bytes: each invalid byte counts as one character (U+FFFD)
    line = b"\xff" * 100 + b" token: " + token.encode() + b"\n"
    assert _found(engine, b"x" * 400 + b"\n" + line, "latin1.env") == [("github-pat", 2, 109, token)]


def test_mostly_invalid_utf8_is_binary(engine: Engine) -> None:
    """Random high-bit bytes without a NUL are binary data, not text: more than 30% of the first 8 KiB is not
    UTF-8, so the file is skipped like one holding a NUL (its memory cost stays the file's)."""
    rng = random.Random(2)
    noise = bytes(rng.randrange(0x80, 0x100) for _ in range(4000))
    data = b"header\n" + noise + b"\nexport GITHUB_TOKEN=" + _github_token(rng).encode() + b"\n"
    assert b"\x00" not in data
    assert _found(engine, data, "blob.dat") == []


def _long_line(rng: random.Random, tokens: list[str]) -> bytes:
    """One line: base64-ish filler with `password=`, `token` and `secret=` hits, and the tokens."""
    parts = []
    for token in tokens:
        parts.append(base64.b64encode(rng.randbytes(300)).decode())
        parts.append(f" password={''.join(rng.choices(ALNUM, k=20))} token secret= token={token} ")
    return "".join(parts).encode()


def test_long_line_with_many_keyword_hits(engine: Engine) -> None:
    rng = random.Random(3)
    tokens = [_github_token(rng) for _ in range(300)]
    data = _long_line(rng, tokens)
    assert b"\n" not in data
    found = _found(engine, data, "blob.txt")
    assert [(rule, line, secret) for rule, line, _, secret in found] == [("github-pat", 1, t) for t in tokens]
    assert [column - 1 for _, _, column, _ in found] == [data.index(t.encode()) for t in tokens]


def test_long_line_matches_are_capped_per_rule(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """`_MAX_MATCHES` bounds the matches one rule verifies in one file: the first ones in file order are kept."""
    rng = random.Random(3)
    tokens = [_github_token(rng) for _ in range(300)]
    data = _long_line(rng, tokens)
    monkeypatch.setattr(engine_module, "_MAX_MATCHES", 40)
    assert [secret for _, _, _, secret in _found(engine, data, "blob.txt")] == tokens[:40]


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code = run(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_cli_size_cap(tmp_path: Path, xdg_cache: Path, capsys: pytest.CaptureFixture[str],
                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Over `--secret-max-mb` a file is an error entry (kind "skipped") and is not read; 0 lifts the cap."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg_cache))
    rng = random.Random(4)
    token = _github_token(rng)
    filler = "".join(f"setting_{i} = {i * 7919 % 100_003}\n" for i in range(80_000))  # ~1.8 MB of text
    (tmp_path / "big.conf").write_text(filler + f"GITHUB_TOKEN={token}\n")
    (tmp_path / "small.conf").write_text("nothing = here\n")
    size = (tmp_path / "big.conf").stat().st_size
    assert 2**20 < size < 10 * 2**20

    capped = _cli(capsys, "fs", str(tmp_path), "--scanners", "secret", "--secret-max-mb", "1", "-f", "json")
    assert capped["findings"] == []
    assert [(e["path"], e["kind"]) for e in capped["errors"]] == [("big.conf", "skipped")]
    assert "larger than 1 MiB" in capped["errors"][0]["message"]

    lifted = _cli(capsys, "fs", str(tmp_path), "--scanners", "secret", "--secret-max-mb", "0", "-f", "json")
    assert lifted["errors"] == []
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert [(f["rule_id"], f["location"]["path"], f["location"]["line"], f["secret_sha256"])
            for f in lifted["findings"]] == [("github-pat", "big.conf", 80_001, digest)]
    assert token not in json.dumps(lifted) and token[4:] not in json.dumps(lifted)
