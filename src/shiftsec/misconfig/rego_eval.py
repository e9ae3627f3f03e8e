"""Running custom Rego checks (see `rego` for what a check is and how it is loaded): all checks for one input type
compiled into one bundle, evaluated with one query per document, and their deny/violation/warn values turned into
`Result`s. `CheckSet.evaluate` never raises: a check that fails at run time on one document is run again alone,
so the failure is named by its check, and becomes an error string; the other checks' results stand.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import orjson

from shiftsec.errors import InputError
from shiftsec.misconfig.rego import (
    EVALUATION_ERROR,
    RULES,
    CustomCheck,
    Module,
    Result,
    error_line,
    load_regopy,
    query_value,
    quiet_interpreter,
)
from shiftsec.model import Severity


class CheckSet:
    """Compiled custom checks; `evaluate` runs those for an input type against one document."""

    def __init__(self, checks: tuple[CustomCheck, ...], modules: Sequence[Module]) -> None:
        self.checks = checks
        self._modules = list(modules)
        self._by_name = {module.name: module for module in modules}
        self._compiled: dict[str, tuple[Any, Any, tuple[CustomCheck, ...]]] = {}
        self._single: Any = None  # an interpreter for running checks one by one, built on first need

    def __bool__(self) -> bool:
        return bool(self.checks)

    def _for(self, input_type: str) -> tuple[Any, Any, tuple[CustomCheck, ...]]:
        compiled = self._compiled.get(input_type)
        if compiled is None:
            RegoError = load_regopy().RegoError

            chosen = tuple(check for check in self.checks if input_type in check.types)
            interpreter = quiet_interpreter()
            bundle = None
            if chosen:
                wrapper = _wrapper(chosen)
                try:
                    for module in self._modules:
                        interpreter.add_module(module.name, module.source)
                    interpreter.add_module("shiftsec_custom_run.rego", wrapper)
                    bundle = interpreter.build("x := data.shiftsec_custom_run.results")
                except RegoError as exc:
                    raise InputError(error_line(exc, self._by_name)) from None
            compiled = (interpreter, bundle, chosen)
            self._compiled[input_type] = compiled
        return compiled

    def evaluate(self, document: Any, input_type: str) -> tuple[list[Result], list[str]]:
        """The results of every check that applies to `input_type` on `document`, and an error line for each
        check that failed to evaluate on it."""
        regopy = load_regopy()
        Input, RegoError = regopy.Input, regopy.RegoError

        interpreter, bundle, chosen = self._for(input_type)
        if bundle is None:
            return [], []
        try:
            interpreter.set_input(Input(document))
            output = interpreter.query_bundle(bundle)
            if not output.ok():
                raise RegoError(EVALUATION_ERROR, 0)
            results = orjson.loads(output.binding("x").json())
        except RegoError:
            return self._one_by_one(document, chosen)
        except (TypeError, ValueError) as exc:
            return [], [f"custom checks: input cannot be given to Rego: {exc}"]
        out: list[Result] = []
        for index, check in enumerate(chosen):
            out.extend(_results(check, results.get(str(index), {})))
        return out, []

    def _one_by_one(self, document: Any, chosen: Sequence[CustomCheck]) -> tuple[list[Result], list[str]]:
        """After a failed combined run: each check on its own, so the failure is named by its check."""
        regopy = load_regopy()
        Input, RegoError = regopy.Input, regopy.RegoError

        if self._single is None:
            self._single = quiet_interpreter()
            for module in self._modules:
                self._single.add_module(module.name, module.source)
        interpreter = self._single
        interpreter.set_input(Input(document))
        out: list[Result] = []
        errors: list[str] = []
        for check in chosen:
            found: dict[str, Any] = {}
            try:
                for rule in RULES:
                    value = query_value(interpreter, _get(check, rule))
                    found[rule] = value if value is not None else []
            except RegoError as exc:
                detail = EVALUATION_ERROR if EVALUATION_ERROR in str(exc) else error_line(exc, self._by_name)
                errors.append(f"custom check {check.id} ({check.file}) failed: {detail}")
                continue
            out.extend(_results(check, found))
        return out, errors


def _get(check: CustomCheck, rule: str) -> str:
    return f'object.get(data.{check.package}, "{rule}", [])'


def _wrapper(chosen: Sequence[CustomCheck]) -> str:
    """A module whose `results` holds, for each chosen check (by position), the value of each of its rules."""
    entries = []
    for index, check in enumerate(chosen):
        rules = ", ".join(f'"{rule}": {_get(check, rule)}' for rule in RULES)
        entries.append(f'"{index}": {{{rules}}}')
    return "package shiftsec_custom_run\n\nresults := {" + ", ".join(entries) + "}\n"


def _members(value: Any) -> Iterator[Any]:
    """Members of a rule's value: a set/array as a list; rego-cpp reads a Rego v0 partial set `deny[msg] {..}`
    as an object whose keys are the members (objects rendered as JSON) and whose values are `true`."""
    if isinstance(value, list):
        yield from value
    elif isinstance(value, dict):
        for key, flag in value.items():
            if flag is not True:
                yield key
                continue
            if key.startswith(("{", "[")):
                try:
                    yield orjson.loads(key)
                    continue
                except orjson.JSONDecodeError:
                    pass
            yield key
    elif value not in (None, False):
        yield value


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _results(check: CustomCheck, found: Mapping[str, Any]) -> Iterator[Result]:
    for rule in RULES:
        severity = Severity.LOW if rule == "warn" else check.severity
        for member in _members(found.get(rule)):
            if isinstance(member, Mapping):
                message = str(member.get("msg") or member.get("message") or check.title)
                raw_path = member.get("path")
                path = tuple(p for p in raw_path if isinstance(p, str | int) and not isinstance(p, bool)) if (
                    isinstance(raw_path, list)) else None
                line = _int(member.get("startline") or member.get("StartLine"))
                end = _int(member.get("endline") or member.get("EndLine"))
                yield Result(check, message, severity, path, line, end)
            else:
                yield Result(check, str(member), severity, None, None, None)
