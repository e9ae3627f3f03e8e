"""A rule file's top-level `[allowlist]`: loaded, validated, and applied by the engine to every rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.errors import UsageError
from shiftsec.secrets.api import Allowlist
from shiftsec.secrets.engine import Engine
from shiftsec.secrets.rules import cached_default_rule_file, default_rule_file, load_rule_file

RULES = """
[allowlist]
regexes = ['''^\\$\\{\\w+\\}$''', '''(?i)example''']
stopwords = ["changeme"]

[[rules]]
id = "demo-token"
title = "Demo token"
provider = "Demo"
regex = '''token=(\\S{6,40})'''
secret_group = 1
keywords = ["token="]
remediation = "Revoke it."
"""


def test_global_allowlist_is_loaded_and_applies_to_every_rule() -> None:
    rules, allowlist = load_rule_file(RULES, "demo.toml")
    assert allowlist == Allowlist(regexes=(r"^\$\{\w+\}$", "(?i)example"), stopwords=("changeme",))
    engine = Engine(rules, allowlist)
    found = [m.secret for line in ("token=${TOKEN}", "token=MyExampleKey1", "token=changeme123", "token=q8Zr2Lw0pV")
             for m in engine.scan(line.encode(), "app.env")]
    assert found == ["q8Zr2Lw0pV"]


def test_no_allowlist() -> None:
    rules_only = "[[rules]]" + RULES.split("[[rules]]", 1)[1]
    assert load_rule_file(rules_only, "demo.toml")[1] is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('allowlist = "x"\n', "demo.toml: `allowlist` must be a table ([allowlist])"),
        ("[allowlist]\ntarget = 'secret'\n",
         "demo.toml: allowlist: an allowlist needs regexes, stopwords, paths or commits"),
        ("[allowlist]\nregexes = ['(']\n", "demo.toml: allowlist: allowlist regex is not valid RE2: missing ): ("),
        ("[allowlist]\nwords = ['x']\n", "demo.toml: allowlist: unknown allowlist field(s) words"),
    ],
)
def test_bad_allowlists(text: str, message: str) -> None:
    with pytest.raises(UsageError) as error:
        load_rule_file(text, "demo.toml")
    assert str(error.value) == message


PLACEHOLDERS = [
    "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx", "ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "glpat-xxxxxxxxxxxxxxxxxxxx",
    "xoxb-000000000000-0000000000000-xxxxxxxxxxxxxxxxxxxxxxxx", "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "${API_TOKEN}", "$API_TOKEN", "{{ .Values.apiToken }}", "<your-token>",
    "%API_TOKEN%", "changeme", "REPLACE_ME_WITH_TOKEN", "your_api_key_here", "your-secret-key", "dummy-password-123",
    "********", "TODO",
]
CONTEXTS = ['api_key = "{}"', 'password: "{}"', "TOKEN={}", "aws_secret_access_key = {}",
            "DATABASE_URL=postgres://app:{}@db.internal/app", 'Authorization: Bearer {}']


@pytest.fixture(scope="module")
def shipped(request: pytest.FixtureRequest) -> Engine:
    rules, allowlist = default_rule_file()
    assert allowlist is not None
    return Engine(rules, allowlist, cache_dir=str(request.config.cache.mkdir("shiftsec-hyperscan")),
                  one_per_secret=True)


@pytest.mark.parametrize("value", PLACEHOLDERS)
def test_shipped_rules_ignore_placeholders(shipped: Engine, value: str) -> None:
    for context in CONTEXTS:
        line = context.format(value)
        assert shipped.scan(line.encode(), "config/app.env") == [], line


@pytest.mark.parametrize(
    ("line", "rule_id"),
    [
        ('STRIPE_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"', "stripe-live-secret-key"),
        ("DATABASE_URL=postgres://app:Qx7vN2pLm4Rt9sWd@db.internal/app", "postgres-uri-password"),
        ('db_password = "hX9#mQ2$vL5!"', "generic-password"),
    ],
)
def test_placeholder_allowlist_keeps_real_looking_values(shipped: Engine, line: str, rule_id: str) -> None:
    assert [m.rule_id for m in shipped.scan(line.encode(), "config/app.env")] == [rule_id]


@pytest.mark.parametrize(
    "line",
    [
        "TOKEN=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
        "TOKEN=xoxb-000000000000-0000000000000-xxxxxxxxxxxxxxxxxxxxxxxx",
        'password: "REPLACE_ME_WITH_TOKEN"',
        "DATABASE_URL=postgres://app:your_api_key_here@db.internal/app",
    ],
)
def test_it_is_the_global_allowlist_that_ignores_them(request: pytest.FixtureRequest, line: str) -> None:
    """The provider formats themselves accept these placeholders: only the global allowlist stops them."""
    rules, _ = default_rule_file()
    bare = Engine(rules, cache_dir=str(request.config.cache.mkdir("shiftsec-hyperscan")), one_per_secret=True)
    assert bare.scan(line.encode(), "config/app.env") != []


def test_cached_default_rules_equal_the_parsed_ones(tmp_path: Path) -> None:
    first = cached_default_rule_file(str(tmp_path))  # parses, writes the cache
    (cache,) = tmp_path.glob("rules-*.json")
    second = cached_default_rule_file(str(tmp_path))  # reads it
    assert first == second == default_rule_file()
    cache.write_text("{not json")  # a damaged cache is parsed again and rewritten
    assert cached_default_rule_file(str(tmp_path)) == default_rule_file()
    assert cache.read_text().startswith('{"rules": [')
