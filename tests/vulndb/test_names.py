"""Package-name normalization: spellings a registry treats as one package share a key; others do not."""

from __future__ import annotations

import pytest

from shiftsec.vulndb.names import normalize

CASES = [
    ("PyPI", "Jinja2", "jinja2"),
    ("PyPI", "zope.interface", "zope-interface"),
    ("PyPI", "Foo__Bar-.baz", "foo-bar-baz"),  # PEP 503: runs of - _ . become one -
    ("crates.io", "Serde_JSON", "serde-json"),
    ("npm", "@Babel/Core", "@babel/core"),
    ("NuGet", "Newtonsoft.Json", "newtonsoft.json"),
    ("Packagist", "Symfony/HTTP-Kernel", "symfony/http-kernel"),
    ("Maven", "org.Apache:Commons", "org.apache:commons"),
    ("Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"),  # module paths are case-sensitive
    ("RubyGems", "Rails", "Rails"),
    ("Debian", "libssl3", "libssl3"),
    ("PyPI", "  requests ", "requests"),
]


@pytest.mark.parametrize(("ecosystem", "name", "key"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_normalize(ecosystem: str, name: str, key: str) -> None:
    assert normalize(ecosystem, name) == key
