"""A YAML file read with the line of every key, and the one-line errors that name the file, the line and the
key (`shiftsec.yaml:14: policy.exceptions[0].expires: …`).

Dates stay text (the timestamp type is off) so a bad one is reported by whoever checks that key; aliases are
followed within a node budget (a "billion laughs" file is refused); a file holds one document. `Doc` carries
the lines and the checks every reader of such a file needs (`mapping`, `typed`, `text`, `texts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import yaml
from yaml.constructor import SafeConstructor

from shiftsec.errors import InputError

__all__ = ["Doc", "kind", "read"]

T = TypeVar("T")


class _TooBig(Exception):
    pass


class Doc:
    """A parsed file with its field lines, and the error every check raises."""

    def __init__(self, path: Path, lines: Mapping[tuple[Any, ...], int], error: type[InputError] = InputError,
                 hint: str | None = None) -> None:
        self.path = path
        self.lines = lines
        self.error = error
        self.hint = hint

    def fail(self, where: tuple[Any, ...], problem: str) -> InputError:
        line = None
        for end in range(len(where), -1, -1):
            line = self.lines.get(where[:end])
            if line is not None:
                break
        key = _dotted(where)
        at = f"{self.path}:{line}" if line is not None else str(self.path)
        return self.error(f"{at}: {key + ': ' if key else ''}{problem}", hint=self.hint)

    def source(self, where: tuple[Any, ...]) -> str:
        return f"{self.path}:{self.lines.get(where, self.lines.get((), 1))}"

    def mapping(self, value: Any, where: tuple[Any, ...], keys: tuple[str, ...]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a mapping, found {kind(value)}")
        for key in value:
            if key not in keys:
                raise self.fail((*where, key), f"unknown key (expected one of: {', '.join(keys)})")
        return value

    def typed(self, value: Any, where: tuple[Any, ...], expected: type[T], what: str) -> T:
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            raise self.fail(where, f"expected {what}, found {kind(value)}")
        return value

    def text(self, value: Any, where: tuple[Any, ...]) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float) or not str(value).strip():
            raise self.fail(where, f"expected a non-empty text, found {kind(value)}")
        return str(value).strip()

    def texts(self, value: Any, where: tuple[Any, ...]) -> tuple[str, ...]:
        """A text or a list of texts."""
        if isinstance(value, list):
            return tuple(self.text(item, (*where, i)) for i, item in enumerate(value))
        return (self.text(value, where),)


def _dotted(where: tuple[Any, ...]) -> str:
    out = ""
    for part in where:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a text ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader without the timestamp type: a date stays text, so a bad one is reported here with its
    key and line instead of failing the whole parse."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[Any]]] = {
        first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


_MAX_NODES = 100_000


def _plain(node: Any, where: tuple[Any, ...], lines: dict[tuple[Any, ...], int], budget: list[int],
           scalars: Any) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooBig(f"more than {_MAX_NODES:,} YAML nodes (aliases?)")
    lines[where] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = scalars.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else "?"
            key = key if isinstance(key, str) else str(key)
            out[key] = _plain(value_node, (*where, key), lines, budget, scalars)
            lines[(*where, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, (*where, i), lines, budget, scalars) for i, item in enumerate(node.value)]
    return scalars.construct_object(node)


def read(path: Path, error: type[InputError] = InputError, hint: str | None = None) -> tuple[Any, Doc]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{path}{where}: invalid YAML: {problem}") from None
    nodes = [node for node in nodes if node is not None]
    if len(nodes) > 1:
        raise error(f"{path}: one YAML document expected, found {len(nodes)}")
    lines: dict[tuple[Any, ...], int] = {}
    try:
        data = _plain(nodes[0], (), lines, [_MAX_NODES], SafeConstructor()) if nodes else {}
    except (ValueError, TypeError, yaml.YAMLError) as exc:
        raise error(f"{path}: invalid YAML value: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise error(f"{path}: a YAML alias refers to itself or nests too deeply") from None
    except _TooBig as exc:
        raise error(f"{path}: {exc}") from None
    doc = Doc(path, lines, error, hint)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise doc.fail((), f"expected a mapping at the top, found {kind(data)}")
    return data, doc


