"""The secret engine on small hand-made rules: prefilter, entropy, allowlists, paths, binary, size, encoding."""

from __future__ import annotations

import pytest

from shiftsec.model import Severity
from shiftsec.secrets import engine as engine_module
from shiftsec.secrets.api import Allowlist, Rule, SecretMatch
from shiftsec.secrets.engine import Engine, shannon_entropy

TOKEN = Rule(id="demo-token", title="Demo token", regex=r"\b(tok_[a-z0-9]{12})\b", secret_group=1, keywords=("tok_",))
KEYED = Rule(id="keyed", title="Keyed", regex=r"secret=([A-Za-z0-9]{8,})", secret_group=1, keywords=("mykey",))
FREE = Rule(id="free", title="No keywords", regex=r"FREE-[0-9]{6}")
SECRET = "tok_abcdef123456"


def _scan(rules: list[Rule], text: str | bytes, path: str = "src/app.py", allow: Allowlist | None = None) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    return [f"{m.rule_id}:{m.secret}" for m in Engine(rules, allow).scan(data, path)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("secret=abcdefgh12", []),  # keyword "mykey" absent: the rule is not tried
        ("MYKEY\nsecret=abcdefgh12", ["keyed:abcdefgh12"]),  # keywords match case-insensitively, anywhere in the file
        ("mykey: secret=abc", []),
        ("x FREE-123456 y", ["free:FREE-123456"]),  # no keywords: always tried
        (f"{SECRET} mykey secret=ABCDEFGH", [f"demo-token:{SECRET}", "keyed:ABCDEFGH"]),
    ],
)
def test_keyword_prefilter(text: str, expected: list[str]) -> None:
    assert _scan([TOKEN, KEYED, FREE], text) == expected


@pytest.mark.parametrize(("text", "bits"), [("", 0.0), ("aaaa", 0.0), ("ab", 1.0), ("abcd", 2.0), ("aabb", 1.0)])
def test_shannon_entropy(text: str, bits: float) -> None:
    assert shannon_entropy(text) == pytest.approx(bits)


@pytest.mark.parametrize(
    ("secret", "found"),
    [("tok_aaaaaaaaaaaa", False), ("tok_abababababab", False), (SECRET, True)],
)
def test_entropy_threshold(secret: str, found: bool) -> None:
    rule = Rule(id="e", title="e", regex=TOKEN.regex, secret_group=1, entropy=3.0)
    assert bool(_scan([rule], f"x = {secret}")) is found


ALLOW_CASES = [
    # (allowlist, text, path, allowed?)
    (Allowlist(regexes=("^tok_abc",)), SECRET, "a.py", True),
    (Allowlist(regexes=("^x = tok",)), f"x = {SECRET}", "a.py", False),  # target secret: the match is not tried
    (Allowlist(regexes=("^x = tok",), target="match"), f"x = {SECRET}", "a.py", False),  # match is the token only
    (Allowlist(regexes=(r"^tok_\w+$",), target="match"), f"x = {SECRET}", "a.py", True),
    (Allowlist(regexes=("# nosecret",), target="line"), f"x = {SECRET}  # nosecret", "a.py", True),
    (Allowlist(regexes=("# nosecret",), target="line"), f"x = {SECRET}\n# nosecret", "a.py", False),
    (Allowlist(stopwords=("ABCDEF",)), f"x = {SECRET}", "a.py", True),  # stopwords: case-insensitive substrings
    (Allowlist(stopwords=("zzz",)), f"x = {SECRET}", "a.py", False),
    (Allowlist(paths=(r"^tests/",)), SECRET, "tests/a.py", True),
    (Allowlist(paths=(r"^tests/",), stopwords=("zzz",)), SECRET, "tests/a.py", True),  # or: any criterion
    (Allowlist(paths=(r"^tests/",), stopwords=("zzz",), condition="and"), SECRET, "tests/a.py", False),
    (Allowlist(paths=(r"^tests/",), stopwords=("abc",), condition="and"), SECRET, "tests/a.py", True),
    (Allowlist(paths=(r"^tests/",), stopwords=("abc",), condition="and"), SECRET, "src/a.py", False),
    (Allowlist(regexes=("nope",), stopwords=("abc",), condition="and", target="line"), SECRET, "a.py", False),
    (Allowlist(regexes=("x =",), stopwords=("abc",), condition="and", target="line"), f"x = {SECRET}", "a.py", True),
]


@pytest.mark.parametrize(("allow", "text", "path", "allowed"), ALLOW_CASES)
@pytest.mark.parametrize("where", ["rule", "global"])
def test_allowlists(allow: Allowlist, text: str, path: str, allowed: bool, where: str) -> None:
    rule = Rule(id="t", title="t", regex=TOKEN.regex, secret_group=1, allowlists=(allow,) if where == "rule" else ())
    found = _scan([rule], text, path, allow if where == "global" else None)
    assert found == ([] if allowed else [f"t:{SECRET}"])


def test_allowlist_of_one_rule_does_not_apply_to_another() -> None:
    allowed = Rule(id="a", title="a", regex=TOKEN.regex, secret_group=1, allowlists=(Allowlist(stopwords=("abc",)),))
    other = Rule(id="b", title="b", regex=TOKEN.regex, secret_group=1)
    assert _scan([allowed, other], SECRET) == [f"b:{SECRET}"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [(".env", ["env:hunter22"]), ("config/prod.env", ["env:hunter22"]), ("app.py", []), (".env.example", [])],
)
def test_path_rules(path: str, expected: list[str]) -> None:
    rule = Rule(id="env", title="env", regex=r"PASSWORD=(\S+)", secret_group=1, path=r"\.env$")
    assert _scan([rule], "PASSWORD=hunter22\n", path) == expected


def test_path_only_rule() -> None:
    rule = Rule(id="p12", title="p12", regex="", path=r"(?i)\.p(?:12|fx)$")
    assert [m.match for m in Engine([rule]).scan(b"anything", "certs/key.P12")] == ["file detected: certs/key.P12"]
    assert Engine([rule]).scan(b"anything", "certs/key.pem") == []


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"\x00" + SECRET.encode(), False),
        (b"x" * 8000 + b"\x00" + SECRET.encode(), False),
        (b"x\n" * 4200 + b"\x00" + SECRET.encode(), True),  # NUL after the first 8 KiB: text
    ],
)
def test_binary_skip(data: bytes, found: bool) -> None:
    assert bool(Engine([TOKEN]).scan(data, "blob")) is found


def test_positions_and_invalid_utf8() -> None:
    data = b"\xff\xfe caf\xc3\xa9 " + SECRET.encode() + b"\n\xc3(" + SECRET.encode() + b"\n"
    assert Engine([TOKEN]).scan(data, "a.txt") == [
        SecretMatch("demo-token", SECRET, 1, 9, 1, SECRET),  # two U+FFFD + " café " = 8 characters
        SecretMatch("demo-token", SECRET, 2, 3, 2, SECRET),
    ]


def test_multiline_match_and_first_nonempty_group() -> None:
    rule = Rule(
        id="pem", title="pem", regex=r"-----BEGIN KEY-----(?s:.){8,}?-----END KEY-----|(KEY=\w+)", secret_group=1
    )
    text = "a\n-----BEGIN KEY-----\nabcdefgh\nijkl\n-----END KEY-----\nKEY=xyz\n"
    found = Engine([rule]).scan(text.encode(), "k.pem")
    assert [(m.line, m.column, m.end_line) for m in found] == [(2, 1, 5), (6, 1, 6)]
    assert found[0].secret == found[0].match and found[0].secret.startswith("-----BEGIN")
    assert found[1].secret == "KEY=xyz"


def test_rule_hyperscan_cannot_compile_runs_on_re2() -> None:
    rule = Rule(id="lazy", title="lazy", regex=r"(?U)tok_([a-z0-9]+)\b", secret_group=1)
    assert _scan([rule], f"x {SECRET} y") == ["lazy:abcdef123456"]


def test_hit_cap_falls_back_to_re2(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "\n".join(f"t{i} tok_{i:012d}" for i in range(500))
    expected = _scan([TOKEN], text)
    assert len(expected) == 500
    monkeypatch.setattr(engine_module, "_MAX_HITS", 10)
    assert _scan([TOKEN], text) == expected


def test_one_20_mb_line() -> None:
    filler = b"ab01 " * (4 * 1024 * 1024)  # 20 MiB, no newline, many word boundaries
    data = SECRET.encode() + b" " + filler + SECRET.encode() + b" " + filler + b"tok_zzzzzzzzzzzz"
    found = Engine([TOKEN, KEYED, FREE]).scan(data, "big.txt")
    assert [(m.secret, m.line, m.column) for m in found] == [
        (SECRET, 1, 1),
        (SECRET, 1, len(SECRET) + 2 + len(filler)),
        ("tok_zzzzzzzzzzzz", 1, 2 * (len(SECRET) + 1 + len(filler)) + 1),
    ]


def test_a_million_short_lines() -> None:
    lines = [f"line {i} nothing here" for i in range(1_000_000)]
    for i in range(0, 1_000_000, 100_000):
        lines[i] = f"token = tok_{i:012d}"
    found = Engine([TOKEN, KEYED, FREE]).scan("\n".join(lines).encode(), "many.txt")
    assert [(m.line, m.column, m.secret) for m in found] == [
        (i + 1, 9, f"tok_{i:012d}") for i in range(0, 1_000_000, 100_000)
    ]


def test_matches_per_rule_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "_MAX_MATCHES", 5)
    text = " ".join(f"tok_{i:012d}" for i in range(50)) + " FREE-123456"
    assert _scan([TOKEN, FREE], text) == [f"demo-token:tok_{i:012d}" for i in range(5)] + ["free:FREE-123456"]


GENERIC = Rule(id="generic-api-key", title="generic", regex=r"token = \"([a-z0-9_-]{8,40})\"", secret_group=1,
               keywords=("token",), tags=("generic",))
PEM_ANY = Rule(id="private-key-generic", title="any key", regex=r"KEY (\w+)", secret_group=1)
PEM_RSA = Rule(id="private-key-rsa", title="rsa key", regex=r"RSA KEY (\w+)", secret_group=1)
LOW = Rule(id="low-context", title="low", regex=r"tok_[a-z0-9]{12}", severity=Severity.LOW)


@pytest.mark.parametrize(
    ("rules", "text", "expected"),
    [
        # a generic rule gives way to a provider rule on the same (or an overlapping) secret...
        ([GENERIC, TOKEN], f'token = "{SECRET}"', [f"demo-token:{SECRET}"]),
        ([GENERIC, TOKEN], f'token = "{SECRET}-x"', [f"demo-token:{SECRET}"]),
        # ... but not elsewhere in the file
        ([GENERIC, TOKEN], f'token = "abcdefgh12"\n{SECRET}', ["generic-api-key:abcdefgh12", f"demo-token:{SECRET}"]),
        # "generic" as a word of the id counts too (private-key-generic under private-key-rsa)
        ([PEM_ANY, PEM_RSA], "RSA KEY abc123", ["private-key-rsa:abc123"]),
        # two specific rules on the very same secret: the more severe one is the finding
        ([LOW, TOKEN], SECRET, [f"demo-token:{SECRET}"]),
        ([TOKEN, LOW], SECRET, [f"demo-token:{SECRET}"]),
    ],
)
def test_one_finding_per_secret(rules: list[Rule], text: str, expected: list[str]) -> None:
    found = [f"{m.rule_id}:{m.secret}" for m in Engine(rules, one_per_secret=True).scan(text.encode(), "app.py")]
    assert found == expected


def test_gitleaks_semantics_keep_every_specific_rule() -> None:
    """Without one_per_secret (a gitleaks config), each specific rule reports the secret; generic rules still
    give way, as gitleaks' generic-api-key does."""
    assert _scan([LOW, TOKEN], SECRET) == [f"demo-token:{SECRET}", f"low-context:{SECRET}"]
    assert _scan([GENERIC, TOKEN], f'token = "{SECRET}"') == [f"demo-token:{SECRET}"]


def test_the_tightest_match_wins_among_equals() -> None:
    context = Rule(id="header", title="header", regex=r"Authorization: Bearer (tok_[a-z0-9]{12})", secret_group=1)
    found = Engine([context, TOKEN], one_per_secret=True).scan(f"Authorization: Bearer {SECRET}".encode(), "x")
    assert [m.rule_id for m in found] == ["demo-token"]
