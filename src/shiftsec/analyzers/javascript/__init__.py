"""Lockfile parsers for the javascript ecosystem; `ANALYZERS` lists them for the registry.

One module per format: `package_lock` (package-lock.json, npm-shrinkwrap.json and npm's hidden lockfile,
with `_package_lock_v1`), `yarn_lock` (yarn.lock v1 and Berry, with `_yarn_syntax`), `pnpm_lock`
(pnpm-lock.yaml 5.x/6.x/9.0, with `_pnpm_keys` and the fast YAML reader `_pnpm_yaml`) and `bun_lock`
(bun.lock). `_common` and `_graph` hold what they share.
"""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer
from shiftsec.analyzers.javascript import bun_lock, package_lock, pnpm_lock, yarn_lock

ANALYZERS: tuple[Analyzer, ...] = (
    package_lock.ANALYZER,
    yarn_lock.ANALYZER,
    pnpm_lock.ANALYZER,
    bun_lock.ANALYZER,
)
