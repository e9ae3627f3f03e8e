"""cabal.project.freeze: the Hackage package versions `cabal freeze` pinned for a project.

Owns the `constraints:` field (one line, or continued on indented lines; `--` comments), whose
comma-separated items pin `any.name ==1.2.3`. Flag settings (`name +flag -flag`) and `installed`/`source`
constraints pin nothing and are skipped; a version pin that is not qualified with `any.` (`name ==1.2.3`,
`setup.name ==1.2.3`) is noted, not reported, as osv-scalibr reads only `any.` pins. Other fields
(`index-state`, ...) are ignored.
"""

from __future__ import annotations

import re

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError

_MAX_LINE = 1 << 20
_PIN = re.compile(r"(?P<scope>(?:[A-Za-z0-9-]+:)?[A-Za-z0-9-]+\.)?(?P<name>[A-Za-z0-9][A-Za-z0-9-]*)\s*==\s*"
                  r"(?P<version>\d+(?:\.\d+)*)")
_FIELD = re.compile(r"(?P<field>[A-Za-z][A-Za-z0-9-]*)\s*:(?P<rest>.*)")


def _required(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == "cabal.project.freeze"


def _analyze(file: InputFile) -> Parsed:
    try:
        text = file.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ParseError("not UTF-8 text") from None
    if "\x00" in text:
        raise ParseError("binary content")
    packages: dict[tuple[str, str], Dependency] = {}
    notes: list[str] = []
    in_constraints = False
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) > _MAX_LINE:
            raise ParseError(f"line {number} is longer than {_MAX_LINE} characters")
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        content = stripped
        if not line[0].isspace():
            field = _FIELD.fullmatch(stripped)
            in_constraints = field is not None and field["field"].lower() == "constraints"
            content = field["rest"] if field is not None else ""
        if not in_constraints:
            continue
        for item in content.split(","):
            pin = _PIN.fullmatch(item.strip())
            if pin is None:
                continue  # a flag setting, an `installed` constraint, or not a constraint at all
            if pin["scope"] != "any.":
                notes.append(f"line {number}: {item.strip()!r} is not an `any.` pin")
                continue
            key = (pin["name"], pin["version"])
            packages.setdefault(key, Dependency(*key, line=number))
    return Parsed("Hackage", tuple(packages.values()), tuple(notes))


analyze = guarded(_analyze, "cabal.project.freeze")


ANALYZER = Analyzer(name="haskell/cabal-freeze", version=1, required=_required, analyze=analyze)
