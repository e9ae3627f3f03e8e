"""A rule file's top-level `[allowlist]`: loaded, validated, and applied by the engine to every rule."""

from __future__ import annotations

import pytest

from shiftsec.errors import UsageError
from shiftsec.secrets.api import Allowlist
from shiftsec.secrets.engine import Engine
from shiftsec.secrets.rules import load_rule_file

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
