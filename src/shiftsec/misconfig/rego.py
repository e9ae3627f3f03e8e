"""Custom misconfiguration checks written in Rego, the security team's own, run with `regopy` (rego-cpp).

A check is a Rego package with metadata and `deny` rules, in the style of Trivy and Conftest custom checks:

- metadata either as an OPA `# METADATA` annotation block right above `package` (`title`, `description`,
  `related_resources`, and under `custom:` the `id`, `severity`, `recommended_action`/`remediation` and
  `input.selector[].type`), or as a `__rego_metadata__` object (`id`, `title`, `severity`, `description`,
  `recommended_actions`/`remediation`, `url`) with an optional `__rego_input__` selector;
- `deny` (and `violation`, which means the same) results fail at the check's severity, `warn` results are LOW;
  a result is a message string, or an object with `msg` and, to point at a line, `path` (the field's path as a
  list of keys and indexes, e.g. `["spec", "containers", 0, "image"]`) or `startline`/`endline`.

Each check sees one document at a time as `input`: a Kubernetes object (`kubernetes`), a compose file
(`compose`) or a Dockerfile in Trivy's shape (`dockerfile`, see `dockerfile_input`); a selector limits a
check to some of these types, no selector means all. Modules without metadata and without rules are libraries
that checks may import. `*_test.rego` files are OPA unit tests and are not loaded.

`load_checks` reads and compiles every check of a folder; a Rego syntax error, a check without `id`, `title`
or a valid `severity`, or two checks with one id raise `InputError` naming the file and line. Running them is
`rego_eval`'s (`CheckSet`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import yaml

from shiftsec.errors import InputError
from shiftsec.model import Severity

if TYPE_CHECKING:
    from shiftsec.misconfig.rego_eval import CheckSet

INPUT_TYPES = ("kubernetes", "compose", "dockerfile")
RULES = ("deny", "violation", "warn")
_PACKAGE = re.compile(r"^[ \t]*package[ \t]+([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)[ \t]*(?:#.*)?$", re.MULTILINE)
_RULE_HEAD = re.compile(r"^[ \t]*(?:deny|violation|warn)\b", re.MULTILINE)
_METADATA_RULE = re.compile(r"^[ \t]*__rego_metadata__\b", re.MULTILINE)
_INPUT_RULE = re.compile(r"^[ \t]*__rego_input__\b", re.MULTILINE)
_ERROR = re.compile(r"\(error \d+:(?P<file>[^|]*)\|(?P<offset>\d+)\|\d+\s*\(errormsg \d+:(?P<message>[^\n]*?)\)\s*$",
                    re.MULTILINE)
_TYPE_NAMES = {"kubernetes": "kubernetes", "k8s": "kubernetes", "dockerfile": "dockerfile", "docker": "dockerfile",
               "compose": "compose", "docker-compose": "compose", "yaml": None, "json": None, "*": None}


@dataclass(frozen=True, slots=True)
class CustomCheck:
    """One custom check: its metadata and where it came from."""

    id: str
    title: str
    severity: Severity
    description: str
    remediation: str
    references: tuple[str, ...]
    package: str  # e.g. "user.kubernetes.no_latest"
    file: str  # as given, for messages
    types: frozenset[str]  # input types it applies to


@dataclass(frozen=True, slots=True)
class Result:
    """One deny/violation/warn result of a check on one document."""

    check: CustomCheck
    message: str
    severity: Severity
    path: tuple[str | int, ...] | None  # the field the result points at, when it says
    line: int | None  # or the line it names (startline)
    end_line: int | None


@dataclass(frozen=True, slots=True)
class Module:
    file: Path
    name: str  # shown in errors
    source: str
    package: str


def load_regopy() -> Any:
    """The regopy module, loaded safely: rego-cpp's library exports its own `operator new`/`delete`, and if it
    is the first to load libstdc++, libstdc++ binds to that allocator, so memory that the C++ extensions
    loaded later (google-re2) allocate one way is freed the other ("double free or corruption"). Loading
    re2 first makes libstdc++ bind to itself."""
    import re2  # noqa: F401  (see above: must be loaded before regopy)
    import regopy

    return regopy


def quiet_interpreter() -> Any:
    regopy = load_regopy()
    interpreter = regopy.Interpreter()
    interpreter.log_level = regopy.LogLevel.NONE  # rego-cpp otherwise writes its errors to our stdout
    return interpreter


def _line_of_offset(source: str, offset: int) -> tuple[int, int]:
    before = source.encode("utf-8")[:offset].decode("utf-8", errors="replace")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def error_line(exc: Exception, modules: Mapping[str, Module]) -> str:
    """One line from a rego-cpp error: `file:line:column: message` when it names a place."""
    text = str(exc)
    match = _ERROR.search(text)
    if match is None:
        first = " ".join(text.split())[:300]
        return f"Rego error: {first}"
    module = modules.get(match["file"])
    message = match["message"].strip()
    if module is None:
        return f"{match['file']}: {message}"
    line, column = _line_of_offset(module.source, int(match["offset"]))
    return f"{module.name}:{line}:{column}: {message}"


def _annotation(source: str, package_start: int) -> dict[str, Any] | None:
    """The YAML of a `# METADATA` comment block that ends right above the package line, if any."""
    lines = source[:package_start].splitlines()
    block: list[str] = []
    for raw in reversed(lines):
        stripped = raw.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            if block:
                break
            continue
        block.append(raw.strip()[1:])
    block.reverse()
    for index, text in enumerate(block):
        if text.strip() == "METADATA":
            body = "\n".join(line[1:] if line.startswith(" ") else line for line in block[index + 1:])
            try:
                data = yaml.safe_load(body)
            except yaml.YAMLError as exc:
                raise ValueError(f"the METADATA block is not valid YAML: {str(exc).splitlines()[0]}") from None
            if not isinstance(data, dict):
                raise ValueError("the METADATA block is not a mapping")
            return data
    return None


def _types(selector: Any, where: str) -> frozenset[str]:
    if selector is None:
        return frozenset(INPUT_TYPES)
    chosen: set[str] = set()
    for item in selector if isinstance(selector, list) else [selector]:
        kind = item.get("type") if isinstance(item, Mapping) else item
        if not isinstance(kind, str) or kind.lower() not in _TYPE_NAMES:
            raise InputError(f"{where}: unknown input selector type {kind!r} (expected one of: "
                             f"{', '.join(INPUT_TYPES)})")
        named = _TYPE_NAMES[kind.lower()]
        chosen.update(INPUT_TYPES if named is None else (named,))
    return frozenset(chosen)


def _references(value: Any) -> tuple[str, ...]:
    out = []
    for item in value if isinstance(value, list) else [value] if value else []:
        ref = item.get("ref") if isinstance(item, Mapping) else item
        if isinstance(ref, str) and ref:
            out.append(ref)
    return tuple(out)


def _severity(value: Any, where: str) -> Severity:
    try:
        severity = Severity.parse(str(value)) if value is not None else Severity.UNKNOWN
    except ValueError:
        severity = Severity.UNKNOWN
    if severity is Severity.UNKNOWN:
        raise InputError(f"{where}: severity must be one of LOW, MEDIUM, HIGH, CRITICAL (got {value!r})")
    return severity


def _check_from(meta: Mapping[str, Any], module: Module, line: int, selector: Any) -> CustomCheck:
    where = f"{module.name}:{line}"
    custom = meta.get("custom") if isinstance(meta.get("custom"), Mapping) else {}
    assert isinstance(custom, Mapping)
    merged = {**meta, **custom}
    check_id = merged.get("id") or merged.get("avd_id")
    if not isinstance(check_id, str) or not check_id.strip():
        raise InputError(f"{where}: check {module.package} has no id in its metadata")
    title = merged.get("title")
    if not isinstance(title, str) or not title.strip():
        raise InputError(f"{where}: check {check_id} has no title in its metadata")
    remediation = merged.get("remediation") or merged.get("recommended_action") or merged.get(
        "recommended_actions") or ""
    references = _references(merged.get("related_resources")) + _references(merged.get("url"))
    if selector is None and isinstance(custom.get("input"), Mapping):
        selector = custom["input"].get("selector")
    return CustomCheck(
        id=check_id.strip(),
        title=title.strip(),
        severity=_severity(merged.get("severity"), where),
        description=str(merged.get("description") or "").strip(),
        remediation=str(remediation).strip(),
        references=references,
        package=module.package,
        file=module.name,
        types=_types(selector, where),
    )


def _rego_files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder of custom checks")
    return sorted(path for path in folder.rglob("*.rego") if not path.name.endswith("_test.rego") and path.is_file())


def _read_modules(folders: Sequence[Path]) -> list[Module]:
    modules = []
    for folder in folders:
        for file in _rego_files(folder):
            try:
                source = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"{file}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
            match = _PACKAGE.search(source)
            if match is None:
                raise InputError(f"{file}:1:1: no `package` declaration")
            modules.append(Module(file, str(file), source, match[1]))
    return modules


EVALUATION_ERROR = "evaluation error (conflicting values for one rule, or a failed built-in)"


def query_value(interpreter: Any, query: str) -> Any:
    """The value of `query`, None when undefined; RegoError when the evaluation fails."""
    RegoError = load_regopy().RegoError

    output = interpreter.query(f"x := {query}")
    if not output.ok():
        raise RegoError(EVALUATION_ERROR, 0)
    if str(output) == "undefined":
        return None
    return orjson.loads(output.binding("x").json())


def load_checks(folders: Sequence[Path]) -> CheckSet:
    """Every check in the `.rego` files under `folders`, compiled; InputError (naming file and line) if any
    module does not compile or a check's metadata is incomplete."""
    RegoError = load_regopy().RegoError

    modules = _read_modules(folders)
    by_name = {module.name: module for module in modules}
    interpreter = quiet_interpreter()
    try:
        for module in modules:
            interpreter.add_module(module.name, module.source)
    except RegoError as exc:
        raise InputError(error_line(exc, by_name)) from None
    checks: list[CustomCheck] = []
    seen: dict[str, str] = {}
    for module in modules:
        match = _PACKAGE.search(module.source)
        assert match is not None
        line = module.source.count("\n", 0, match.start()) + 1
        try:
            annotation = _annotation(module.source, match.start())
        except ValueError as exc:
            raise InputError(f"{module.name}:{line}: {exc}") from None
        meta: Any = annotation
        selector: Any = None
        try:
            if meta is None and _METADATA_RULE.search(module.source):
                meta = query_value(interpreter, f"data.{module.package}.__rego_metadata__")
            if _INPUT_RULE.search(module.source):
                rego_input = query_value(interpreter, f"data.{module.package}.__rego_input__")
                selector = rego_input.get("selector") if isinstance(rego_input, Mapping) else None
        except RegoError as exc:
            raise InputError(error_line(exc, by_name)) from None
        if meta is None:
            if _RULE_HEAD.search(module.source):
                raise InputError(f"{module.name}:{line}: package {module.package} has deny/warn rules but no "
                                 "metadata (a `# METADATA` block with custom.id, or __rego_metadata__)")
            continue  # a library
        if not isinstance(meta, Mapping):
            raise InputError(f"{module.name}:{line}: the metadata of {module.package} is not an object")
        check = _check_from(meta, module, line, selector)
        if check.id in seen:
            raise InputError(f"{module.name}:{line}: check id {check.id} is also used by {seen[check.id]}")
        seen[check.id] = module.name
        checks.append(check)
    from shiftsec.misconfig.rego_eval import CheckSet

    return CheckSet(tuple(checks), modules)
