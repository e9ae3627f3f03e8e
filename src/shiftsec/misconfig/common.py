"""What the misconfiguration checks share: check metadata, a hit at a field path, the line of a path, and the
test for a secret-like value written literally (by its variable name; placeholders are not secrets)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from shiftsec.model import Severity

Path = tuple[str | int, ...]
SecretTest = Callable[[str, str], bool]  # (variable name, literal value) -> whether the value is a secret


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    title: str
    severity: Severity
    description: str
    remediation: str
    references: tuple[str, ...] = ()


class Hit(NamedTuple):
    """A check's finding on one object. A named tuple rather than a frozen dataclass: as immutable, and three
    times cheaper to build (each frozen field is set by a call) and to define (8 M instructions less on
    Checkov's 311 examples)."""

    check: str
    path: Path  # the field to point at, or its nearest existing parent
    message: str  # one line; never a value that may be a secret


def line_at(lines: Mapping[Path, int], path: Path) -> int | None:
    """The line of the field at `path`, or of its nearest ancestor that has one."""
    for cut in range(len(path), -1, -1):
        line = lines.get(path[:cut])
        if line is not None:
            return line
    return None


_SECRET_NAME = re.compile(r"(?i)(?:passw(?:or)?d|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|"
                          r"credential)")
_NOT_SECRET_NAME = re.compile(r"(?i)_(?:FILE|PATH|DIR)$")  # names a file holding the secret, not the secret
_PLACEHOLDER = re.compile(r"^(?:\$\(?\{?[\w.:?-]*\}?\)?|\$\{[^}]*\}|<[^>]*>|changeme|example|xxx+|\*+|true|false|"
                          r"\d{1,5})$", re.IGNORECASE)


def is_placeholder(value: str) -> bool:
    """Whether a literal value only stands for a secret (`${VAR}`, `<token>`, `changeme`, `true`, `8080`...)."""
    return bool(_PLACEHOLDER.match(value.strip()))


def literal_secret(name: str, value: str) -> bool:
    """Whether an environment variable `name` set to `value` writes a secret into the file, judged by the name
    alone (the scanner adds the secret rules' judgement of the value: `scanners.misconfig.SecretValues`)."""
    value = value.strip()
    return bool(value and _SECRET_NAME.search(name) and not _NOT_SECRET_NAME.search(name)
                and not _PLACEHOLDER.match(value))
