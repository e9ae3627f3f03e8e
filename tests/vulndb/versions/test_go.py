"""SemVer ecosystems, Go first: pseudo-versions, +incompatible, the optional `v`, loose forms."""

from __future__ import annotations

import pytest

from shiftsec.vulndb.versions import compare

_CASES = [
    # (ecosystem, a, op, b)
    # pseudo-versions: vX.0.0-yyyymmddhhmmss-abcdef, vX.Y.(Z+1)-0.yyyymmddhhmmss-abcdef, vX.Y.Z-pre.0.ts-hash
    ("Go", "v0.0.0-20210101000000-abcdef123456", "<", "v0.0.0-20210102000000-000000000000"),
    ("Go", "v0.0.0-20210101000000-abcdef123456", "<", "v0.0.1"),
    ("Go", "v0.0.0-20191109021931-daa7c04131f5", "<", "v0.1.0"),
    ("Go", "v1.2.3", "<", "v1.2.4-0.20191109021931-daa7c04131f5"),
    ("Go", "v1.2.4-0.20191109021931-daa7c04131f5", "<", "v1.2.4"),
    ("Go", "v1.2.4-0.20191109021931-daa7c04131f5", "<", "v1.2.4-0.20200101000000-000000000000"),
    ("Go", "v1.2.4-pre", "<", "v1.2.4-pre.0.20191109021931-daa7c04131f5"),
    ("Go", "v1.2.4-pre.0.20191109021931-daa7c04131f5", "<", "v1.2.4-pre.1"),
    ("Go", "v1.2.4-0.20191109021931-daa7c04131f5", "=", "1.2.4-0.20191109021931-daa7c04131f5"),
    # +incompatible is build metadata: ignored
    ("Go", "v2.0.0+incompatible", "=", "v2.0.0"),
    ("Go", "v2.0.0+incompatible", "=", "2.0.0"),
    ("Go", "v2.0.1+incompatible", ">", "v2.0.0"),
    ("Go", "v2.0.0+incompatible", "<", "v2.1.0+incompatible"),
    ("Go", "v3.0.0-rc.1+incompatible", "<", "v3.0.0+incompatible"),
    # OSV Go ranges carry no "v"; module tags do
    ("Go", "1.10.0", ">", "v1.9.9"),
    ("Go", "v1.2.3", "=", "1.2.3"),
    # npm / crates.io / Hex / SwiftURL / SEMVER ranges share the rules
    ("npm", "1.0.0-alpha", "<", "1.0.0-alpha.1"),
    ("npm", "1.0.0-alpha.beta", "<", "1.0.0-beta"),
    ("npm", "1.0.0-beta.2", "<", "1.0.0-beta.11"),
    ("npm", "1.0.0-rc.1", "<", "1.0.0"),
    ("npm", "1.0.0+build.1", "=", "1.0.0+build.2"),
    ("crates.io", "0.3.0-rc.1", "<", "0.3.0"),
    ("crates.io", "1.0.0", "<", "1.0.1"),
    ("Hex", "1.0.0-rc.0", "<", "1.0.0"),
    ("SwiftURL", "5.9.0", "<", "5.10.0-beta"),
    ("SEMVER", "1.2.3", "<", "1.2.10"),
    # loose forms, as osv-scalibr reads them: missing components are 0, extra ones a pre-release
    ("npm", "1.2", "=", "1.2.0"),
    ("npm", "1", "=", "1.0.0"),
    ("npm", "1.2.3.4", "<", "1.2.3"),
    ("npm", "1.2.3.4", ">", "1.2.2"),
    ("npm", "1.2.3.4", "<", "1.2.3.5"),
    # NuGet: four components, case-insensitive labels; Pub: ordered build metadata
    ("NuGet", "1.0.0.1", ">", "1.0.0"),
    ("NuGet", "1.0.0-RC1", "=", "1.0.0-rc1"),
    ("NuGet", "4.0.0-rc.2", "<", "4.0.0"),
    ("Pub", "1.0.0", "<", "1.0.0+1"),
    ("Pub", "1.0.0+2", "<", "1.0.0+10"),
    ("Pub", "1.0.0-dev", "<", "1.0.0"),
]


@pytest.mark.parametrize(("ecosystem", "a", "op", "b"), _CASES, ids=[f"{c[0]}:{c[1]}{c[2]}{c[3]}" for c in _CASES])
def test_semver_order(ecosystem: str, a: str, op: str, b: str) -> None:
    expected = {"<": -1, "=": 0, ">": 1}[op]
    assert compare(ecosystem, a, b) == expected
    assert compare(ecosystem, b, a) == -expected
