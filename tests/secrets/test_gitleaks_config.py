"""Loading gitleaks configs: the upstream default config unchanged, and the edge cases of the format."""

from __future__ import annotations

import pytest

from shiftsec.errors import UsageError
from shiftsec.model import Severity
from shiftsec.secrets import _hyperscan
from shiftsec.secrets.api import Allowlist
from shiftsec.secrets.gitleaks import RuleCompileError, load_gitleaks, parse_gitleaks
from tests.conftest import shared


def _default_text() -> str:
    return shared("secrets", "gitleaks", "config", "gitleaks.toml").read_text(encoding="utf-8")


def test_default_config_loads_every_rule() -> None:
    config = parse_gitleaks(_default_text())
    for error in config.errors:
        print(f"cannot compile {error.rule_id}: {error.reason}")
    assert config.errors == ()
    assert len(config.rules) == 222
    assert len({r.id for r in config.rules}) == 222
    assert config.allowlist is not None and config.allowlist.paths and config.allowlist.stopwords
    rules, allowlist = load_gitleaks(_default_text())
    assert rules == config.rules and allowlist == config.allowlist


def test_default_config_fields() -> None:
    rules = {r.id: r for r in parse_gitleaks(_default_text()).rules}
    aws = rules["aws-access-token"]
    assert aws.severity is Severity.HIGH and aws.provider == "aws" and aws.remediation == ""
    assert aws.entropy == 3.0 and "akia" in aws.keywords and aws.allowlists
    assert all(k == k.lower() for r in rules.values() for k in r.keywords)
    assert rules["pkcs12-file"].regex == "" and rules["pkcs12-file"].path
    assert any(a.stopwords for a in rules["generic-api-key"].allowlists)
    # gitleaks uses the first non-empty group when secretGroup is unset: group 1 here
    assert rules["github-pat"].secret_group == 0
    assert rules["heroku-api-key-v2"].secret_group == 1


def test_default_config_hyperscan_coverage(request: pytest.FixtureRequest) -> None:
    """Rules Hyperscan cannot compile, would compile for minutes, or whose matches have no length limit (one hit
    per end offset) run on RE2 alone, keyword-gated; list them. 26 of gitleaks' 220-odd rules today."""
    rules = parse_gitleaks(_default_text()).rules
    cache = str(request.config.cache.mkdir("shiftsec-hyperscan"))
    flags = _hyperscan.regex_database(tuple(r.regex for r in rules), cache).flags
    fallback = [r.id for r, f in zip(rules, flags, strict=True) if not f and r.regex]
    som = sum(1 for f in flags if f & _hyperscan.SOM)
    print(
        f"hyperscan: {som} rules with start offsets, {len(rules) - som - len(fallback)} end-only, RE2 only: {fallback}"
    )
    assert len(fallback) < 30


CONFIG_CASES = [
    ("bad toml", "[[rules]\nid = 1", UsageError, "not valid TOML"),
    ("extend default", "[extend]\nuseDefault = true\n", UsageError, "useDefault/path is not supported"),
    ("extend path", '[extend]\npath = "x.toml"\n', UsageError, "useDefault/path is not supported"),
    ("bad target", '[allowlist]\nregexTarget = "file"\n', UsageError, "regexTarget"),
    ("bad regex", "[[rules]]\nid = 'broken'\nregex = '''a(b'''\n", RuleCompileError, "broken: regex does not compile"),
    ("no regex", "[[rules]]\nid = 'empty'\n", RuleCompileError, "empty: rule has neither"),
    ("bad group", "[[rules]]\nid = 'g'\nregex = 'a(b)'\nsecretGroup = 2\n", RuleCompileError, "g: secretGroup 2"),
]


@pytest.mark.parametrize(("text", "error", "message"), [c[1:] for c in CONFIG_CASES], ids=[c[0] for c in CONFIG_CASES])
def test_invalid_configs(text: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message) as raised:
        load_gitleaks(text)
    assert "\n" not in str(raised.value)


def test_bad_rules_are_listed_not_fatal() -> None:
    text = "[[rules]]\nid = 'ok'\nregex = 'abc'\n[[rules]]\nid = 'broken'\nregex = '(?<=x)y'\n"
    config = parse_gitleaks(text)
    assert [r.id for r in config.rules] == ["ok"]
    assert [e.rule_id for e in config.errors] == ["broken"]


def test_allowlist_forms() -> None:
    text = """
[extend]
disabledRules = ["gone"]
[allowlist]
paths = ['''vendor/''']
[[allowlists]]
condition = "AND"
regexTarget = "line"
regexes = ['''example''']
stopwords = ["Dummy"]
[[rules]]
id = "gone"
regex = "x"
[[rules]]
id = "old-style"
regex = '''key=(\\w+)'''
keywords = ["KEY"]
entropy = 2.5
path = '''\\.env$'''
tags = ["t"]
[rules.allowlist]
stopwords = ["TEST"]
[[rules]]
id = "new-style"
regex = '''tok_\\w+'''
[[rules.allowlists]]
regexTarget = "match"
regexes = ['''tok_0+''']
[[rules.allowlists]]
paths = ['''fixtures/''']
"""
    rules, allowlist = load_gitleaks(text)
    assert allowlist == Allowlist(paths=("vendor/",))
    second = Allowlist(regexes=("example",), stopwords=("dummy",), target="line", condition="and")
    old, new = rules
    assert (old.id, old.keywords, old.entropy, old.path, old.secret_group, old.tags, old.provider) == (
        "old-style",
        ("key",),
        2.5,
        r"\.env$",
        1,
        ("t",),
        "old",
    )
    assert old.allowlists == (Allowlist(stopwords=("test",)), second)
    assert new.allowlists == (Allowlist(regexes=("tok_0+",), target="match"), Allowlist(paths=("fixtures/",)), second)
