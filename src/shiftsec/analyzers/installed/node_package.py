"""`installed/node-package`: one package installed in a `node_modules` folder, from its `package.json`.

Wanted: `…/node_modules/<name>/package.json` and `…/node_modules/@scope/<name>/package.json`, at any depth
of nesting (`a/node_modules/b/node_modules/c/package.json`), including global installs
(`usr/local/lib/node_modules/npm/package.json`). Not wanted: an application's own `package.json` outside
`node_modules`, and `package.json` files deeper inside a package (`node_modules/x/lib/package.json`, which
mark module types and rarely carry a version), nor dot folders (`node_modules/.bin`). pnpm's store
(`node_modules/.pnpm/<id>/node_modules/<name>/package.json`) matches like any nesting; its top-level entries
are symlinks, which are not files.

The package is `name`@`version` from the JSON (the folder name is only used in messages). A `package.json`
without a name or version (a package being developed, a broken install) gives no package and a note.
"""

from __future__ import annotations

import json

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError
from shiftsec.analyzers.installed._common import one_line, segments

__all__ = ["ANALYZER", "analyze"]

ECOSYSTEM = "npm"


def _required(path: str) -> bool:
    parts = segments(path)
    if len(parts) < 3 or parts[-1] != "package.json":
        return False
    folder = parts[:-1]
    if folder[-2] == "node_modules":
        name = folder[-1]
        return not name.startswith(".") and not name.startswith("@")
    if len(folder) >= 3 and folder[-3] == "node_modules" and folder[-2].startswith("@") and len(folder[-2]) > 1:
        return not folder[-1].startswith(".")
    return False


def _analyze(file: InputFile) -> Parsed:
    try:
        doc = json.loads(file.data)
    except ValueError as exc:
        raise ParseError(f"not valid JSON: {one_line(str(exc))}") from None
    if not isinstance(doc, dict):
        raise ParseError("package.json is not a JSON object")
    name, version = doc.get("name"), doc.get("version")
    folder = "/".join(segments(file.path)[-3:-1])
    if not isinstance(name, str) or not name or not isinstance(version, str) or not version:
        return Parsed(ECOSYSTEM, (), (f"{folder}: package.json without a name and version — not matched",))
    return Parsed(ECOSYSTEM, (Dependency(name, version),))


analyze = guarded(_analyze, "package.json")

ANALYZER = Analyzer(name="installed/node-package", version=1, required=_required, analyze=analyze)
