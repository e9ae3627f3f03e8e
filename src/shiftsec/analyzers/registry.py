"""The built-in analyzers, as one explicit list (no discovery, no import side effects).

Order matters only for speed: `required` is asked of each in turn, and the first that wants a file parses it.
"""

from __future__ import annotations

from shiftsec.analyzers import (
    cpp,
    dart,
    dotnet,
    elixir,
    golang,
    haskell,
    java,
    javascript,
    php,
    python,
    r,
    ruby,
    rust,
    swift,
)
from shiftsec.analyzers.api import Analyzer

ANALYZERS: tuple[Analyzer, ...] = (
    *python.ANALYZERS,
    *javascript.ANALYZERS,
    *golang.ANALYZERS,
    *rust.ANALYZERS,
    *ruby.ANALYZERS,
    *php.ANALYZERS,
    *java.ANALYZERS,
    *dotnet.ANALYZERS,
    *dart.ANALYZERS,
    *elixir.ANALYZERS,
    *swift.ANALYZERS,
    *r.ANALYZERS,
    *cpp.ANALYZERS,
    *haskell.ANALYZERS,
)

BY_NAME: dict[str, Analyzer] = {a.name: a for a in ANALYZERS}


def analyzer_for(path: str) -> Analyzer | None:
    """The analyzer that wants the file at `path` (relative, forward slashes), if any."""
    for analyzer in ANALYZERS:
        if analyzer.required(path):
            return analyzer
    return None
