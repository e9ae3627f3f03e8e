"""The package graph every JavaScript analyzer fills in, and how it turns into `Dependency` values.

Packages are keyed "name@version"; one lockfile can hold the same key several times (npm's nested
`node_modules`, pnpm's peer variants), and those merge: the first line wins, edges are unioned, and a
package is dev-only when every copy says so.

`direct` comes from the project's roots (the root `package.json` or importer entries); when no roots are
known it stays None. `dev` is the file's own flag where it has one (package-lock, pnpm v5/v6); otherwise a
package is dev when it is reachable from a dev root and from no prod root. Reachability is one BFS per
root kind, so the whole graph costs O(packages + edges).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from shiftsec.analyzers.api import Dependency


class _Node:
    __slots__ = ("deps", "dev", "line", "name", "version")

    def __init__(self, name: str, version: str, line: int | None, dev: bool | None) -> None:
        self.name = name
        self.version = version
        self.line = line
        self.dev = dev  # the file's flag; None when the file does not say
        self.deps: dict[str, None] = {}  # insertion-ordered set of keys


class Graph:
    def __init__(self) -> None:
        self._nodes: dict[str, _Node] = {}
        self._prod_roots: dict[str, None] = {}
        self._dev_roots: dict[str, None] = {}
        self.roots_known = False

    def add(self, name: str, version: str, line: int | None = None, dev: bool | None = None) -> str:
        """Record one occurrence of a package and return its key."""
        key = f"{name}@{version}"
        node = self._nodes.get(key)
        if node is None:
            self._nodes[key] = _Node(name, version, line, dev)
        else:
            if node.line is None:
                node.line = line
            if node.dev is None or dev is None:
                node.dev = node.dev if dev is None else dev
            else:
                node.dev = node.dev and dev
        return key

    def __contains__(self, key: str) -> bool:
        return key in self._nodes

    def edge(self, source: str, target: str) -> None:
        if source != target:
            self._nodes[source].deps[target] = None

    def edges_of(self, key: str) -> dict[str, None]:
        """The edge set of `key`, to fill in a hot loop (the caller skips self-loops)."""
        return self._nodes[key].deps

    def root(self, key: str, *, dev: bool) -> None:
        """A package the project itself asks for (a dev root when only `devDependencies` name it)."""
        self.roots_known = True
        (self._dev_roots if dev else self._prod_roots)[key] = None

    def _reach(self, start: Iterable[str]) -> set[str]:
        seen = set(start)
        queue = deque(seen)
        nodes = self._nodes
        while queue:
            for target in nodes[queue.popleft()].deps:
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        return seen

    def dependencies(self) -> tuple[Dependency, ...]:
        known = self.roots_known
        direct = {**self._prod_roots, **self._dev_roots}
        prod = self._reach(self._prod_roots) if known else set()
        dev_side = self._reach(self._dev_roots) if known else set()
        out = []
        for key, node in self._nodes.items():
            dev = node.dev if node.dev is not None else (key in dev_side and key not in prod)
            is_direct = (key in direct) if known else None
            out.append(Dependency(node.name, node.version, is_direct, dev, node.line, tuple(node.deps)))
        return tuple(out)
