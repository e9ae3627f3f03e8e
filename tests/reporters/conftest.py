"""Reports built by hand for the reporter tests, and golden-file comparison.

`sample_report` covers what the reporters must handle: packages in five ecosystems (one with no
vulnerability, one with no location), findings of every severity, one finding whose package has no location
at all, one with no fixed version, a title long enough to be cut, a title with rich-markup look-alikes and
two inputs that could not be read. The packages and findings are listed in a scrambled order on purpose:
reporters must sort them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from shiftsec.model import (
    DatabaseInfo,
    ExceptionNote,
    Finding,
    FindingType,
    Location,
    Package,
    Report,
    RuleOutcome,
    ScanError,
    Severity,
    Suppression,
    SuppressionKind,
    Verdict,
    fingerprint,
)

GOLDEN = Path(__file__).parent / "golden"
CREATED_AT = "2024-05-02T08:30:00Z"
TOOL_VERSION = "0.1.0"


def make_finding(
    package: Package,
    rule_id: str,
    severity: Severity,
    title: str,
    *,
    aliases: tuple[str, ...] = (),
    fixed_in: str | None = None,
    cvss_score: float | None = None,
    cvss_vector: str | None = None,
    references: tuple[str, ...] = (),
    published: str | None = None,
    message: str | None = None,
    with_location: bool = True,
) -> Finding:
    path = package.location.path if package.location else ""
    return Finding(
        type=FindingType.VULNERABILITY,
        rule_id=rule_id,
        severity=severity,
        title=title,
        message=message if message is not None else f"{title}.",
        fingerprint=fingerprint(rule_id, package.ecosystem, package.name, package.version, path),
        aliases=aliases,
        location=package.location if with_location else None,
        package=package,
        fixed_versions=(fixed_in,) if fixed_in else (),
        fixed_in=fixed_in,
        remediation=f"Upgrade {package.name} to {fixed_in} or later." if fixed_in else "",
        cvss_score=cvss_score,
        cvss_vector=cvss_vector,
        references=references,
        published=published,
    )


REQUESTS = Package(
    "requests", "2.25.0", "PyPI", "pkg:pypi/requests@2.25.0", Location("requirements.txt", 3), direct=True
)
URLLIB3 = Package(
    "urllib3", "1.26.4", "PyPI", "pkg:pypi/urllib3@1.26.4", Location("requirements.txt", 7), direct=False
)
FLASK = Package(
    "flask", "2.3.3", "PyPI", "pkg:pypi/flask@2.3.3", Location("requirements.txt", 5), direct=True
)
LODASH = Package(
    "lodash", "4.17.20", "npm", "pkg:npm/lodash@4.17.20", Location("web/package-lock.json", 812), direct=True
)
MINIMIST = Package(
    "minimist",
    "1.2.5",
    "npm",
    "pkg:npm/minimist@1.2.5",
    Location("web/package-lock.json", 1290),
    direct=False,
    dev=True,
)
XTEXT = Package(
    "golang.org/x/text", "v0.3.5", "Go", "pkg:golang/golang.org/x/text@v0.3.5", Location("go.mod", 12, 12)
)
OPENSSL = Package(
    "openssl",
    "3.0.11-1~deb12u1",
    "Debian:12",
    "pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=debian-12",
    Location("var/lib/dpkg/status"),
)
LOG4J = Package(
    "org.apache.logging.log4j:log4j-core",
    "2.14.1",
    "Maven",
    "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
    location=None,
)

PACKAGES = (XTEXT, LODASH, REQUESTS, OPENSSL, FLASK, LOG4J, URLLIB3, MINIMIST)

FINDINGS = (
    make_finding(
        LODASH,
        "GHSA-29mw-wpgm-hmr9",
        Severity.MEDIUM,
        "Regular Expression Denial of Service (ReDoS) in lodash",
        aliases=("CVE-2020-28500",),
        fixed_in="4.17.21",
        cvss_score=5.3,
        cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L",
        references=("https://nvd.nist.gov/vuln/detail/CVE-2020-28500",),
        published="2022-01-06T20:30:46Z",
    ),
    make_finding(
        XTEXT,
        "GO-2021-0113",
        Severity.UNKNOWN,
        "Out-of-bounds read in golang.org/x/text/language",
        aliases=("CVE-2021-38561", "GHSA-ppp9-7jff-5vj2"),
        fixed_in="v0.3.7",
        references=("https://pkg.go.dev/vuln/GO-2021-0113",),
    ),
    make_finding(
        LOG4J,
        "GHSA-jfh8-c2jp-5v3q",
        Severity.CRITICAL,
        "Remote code injection in Log4j",
        aliases=("CVE-2021-44228",),
        fixed_in="2.15.0",
        cvss_score=10.0,
        cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
        references=(
            "https://nvd.nist.gov/vuln/detail/CVE-2021-44228",
            "https://logging.apache.org/log4j/2.x/security.html",
        ),
        published="2021-12-10T00:40:56Z",
        with_location=False,
    ),
    make_finding(
        URLLIB3,
        "GHSA-q2q7-5pp4-w6pg",
        Severity.HIGH,
        "Catastrophic backtracking in URL authority parser when passed URL containing many @ characters",
        aliases=("CVE-2021-33503",),
        fixed_in="1.26.5",
        cvss_score=7.5,
        cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
        references=("https://github.com/urllib3/urllib3/security/advisories/GHSA-q2q7-5pp4-w6pg",),
        published="2021-06-01T21:18:03Z",
        message=(
            "When provided with a URL containing many @ characters in the authority component, the authority "
            "regular expression exhibits catastrophic backtracking, causing a denial of service if a URL "
            "were passed as a parameter or redirected to via an HTTP redirect."
        ),
    ),
    make_finding(
        OPENSSL,
        "DEBIAN-CVE-2023-5678",
        Severity.LOW,
        "Excessive time spent in DH check / generation with large Q parameter value",
        aliases=("CVE-2023-5678",),
        fixed_in=None,
    ),
    make_finding(
        MINIMIST,
        "GHSA-xvch-5gv4-984h",
        Severity.CRITICAL,
        "Prototype Pollution in minimist",
        aliases=("CVE-2021-44906",),
        fixed_in="1.2.6",
        cvss_score=9.8,
        cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        references=("https://nvd.nist.gov/vuln/detail/CVE-2021-44906",),
    ),
    make_finding(
        REQUESTS,
        "GHSA-j8r2-6x86-q33q",
        Severity.MEDIUM,
        "Unintended leak of Proxy-Authorization header in [bold]requests[/bold]",
        aliases=("CVE-2023-32681",),
        fixed_in="2.31.0",
        cvss_score=6.1,
        cvss_vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N",
        references=("https://github.com/psf/requests/security/advisories/GHSA-j8r2-6x86-q33q",),
        published="2023-05-22T20:36:32Z",
    ),
    make_finding(
        LODASH,
        "GHSA-35jh-r3h4-6jhm",
        Severity.HIGH,
        "Command Injection in lodash",
        aliases=("CVE-2021-23337",),
        fixed_in="4.17.21",
        cvss_score=7.2,
        cvss_vector="CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H",
        references=("https://nvd.nist.gov/vuln/detail/CVE-2021-23337",),
    ),
)

ERRORS = (
    ScanError(
        "services/api/Pipfile.lock", "invalid JSON at line 14, column 3: expecting ',' delimiter", "parse"
    ),
    ScanError("sbom/app.cdx.json", "component 'left-pad' has no version; skipped", "invalid-record"),
)

DATABASE = DatabaseInfo(
    path=".cache/shiftsec/advisories.db",
    schema_version=1,
    advisories=187_342,
    updated_at="2024-05-01T23:10:07Z",
)


@pytest.fixture
def sample_report() -> Report:
    return Report(
        target="examples/webapp",
        target_type="directory",
        created_at=CREATED_AT,
        tool_version=TOOL_VERSION,
        packages=PACKAGES,
        findings=FINDINGS,
        errors=ERRORS,
        database=DATABASE,
    )


@pytest.fixture
def empty_report() -> Report:
    return Report(target=".", target_type="directory", created_at=CREATED_AT, tool_version=TOOL_VERSION)


def build_large_report(count: int = 2000) -> Report:
    """`count` findings over `count // 4` packages and `count // 2` distinct rules."""
    severities = list(Severity)
    packages = [
        Package(
            f"pkg-{i:04d}", f"1.{i % 7}.0", "npm", location=Location(f"app{i % 10}/package-lock.json", i + 1)
        )
        for i in range(count // 4)
    ]
    findings = [
        make_finding(
            packages[i % len(packages)],
            f"GHSA-test-{i // 2:04d}",
            severities[i % len(severities)],
            f"Synthetic advisory number {i}",
            aliases=(f"CVE-2099-{i:05d}",),
            fixed_in=f"2.{i % 3}.0" if i % 5 else None,
            cvss_score=(i % 100) / 10 if i % 3 else None,
            references=(f"https://example.invalid/advisories/{i}",),
        )
        for i in range(count)
    ]
    return Report(
        target="big",
        target_type="directory",
        created_at=CREATED_AT,
        tool_version=TOOL_VERSION,
        packages=tuple(packages),
        findings=tuple(findings),
        database=DATABASE,
    )


@pytest.fixture
def large_report() -> Report:
    return build_large_report()


@pytest.fixture
def golden(update_golden: bool) -> Callable[[str, str], None]:
    """Compare `text` with `golden/<name>` exactly; with `--update-golden`, rewrite the file instead."""

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update_golden:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="") as file:
                file.write(text)
            return
        if not path.exists():
            pytest.fail(f"golden file missing: {path} (run pytest --update-golden, then review it)")
        with path.open(encoding="utf-8", newline="") as file:
            expected = file.read()
        assert text == expected, f"{name} differs from its golden file (pytest --update-golden to rewrite)"

    return check


# --- a dependency graph, for the SBOM reporters ---------------------------------------------------------------
#
# Two npm lockfiles (the web one records the graph, the admin one does not), a requirements file with a
# package that has no purl, a Maven pom with a graph and a go.mod. debug@2.6.8 sits in both lockfiles; in the
# web lockfile it is listed twice (two node_modules folders); @babel/core is a direct dev dependency pulling
# minimist in; body-parser names a dependency (bytes) that the lockfile does not list.

WEB_LOCK = "web/package-lock.json"
ADMIN_LOCK = "admin/package-lock.json"
API_REQS = "services/api/requirements.txt"


def _npm(
    name: str,
    version: str,
    path: str,
    line: int,
    *,
    direct: bool | None = False,
    dev: bool = False,
    depends_on: tuple[str, ...] = (),
) -> Package:
    purl_name = name.replace("@", "%40", 1)
    location = Location(path, line)
    return Package(name, version, "npm", f"pkg:npm/{purl_name}@{version}", location, direct, dev, depends_on)


G_EXPRESS = _npm(
    "express", "4.17.1", WEB_LOCK, 40, direct=True,
    depends_on=("pkg:npm/body-parser@1.19.0", "pkg:npm/debug@2.6.8"),
)
G_BODY_PARSER = _npm(
    "body-parser", "1.19.0", WEB_LOCK, 80, direct=False,
    depends_on=("pkg:npm/debug@2.6.8", "pkg:npm/bytes@3.1.0"),
)
G_DEBUG_WEB = _npm("debug", "2.6.8", WEB_LOCK, 120, direct=False, depends_on=("pkg:npm/ms@2.0.0",))
G_DEBUG_WEB_NESTED = _npm("debug", "2.6.8", WEB_LOCK, 410, direct=False, depends_on=("pkg:npm/ms@2.0.0",))
G_MS = _npm("ms", "2.0.0", WEB_LOCK, 160, direct=False)
G_BABEL = _npm(
    "@babel/core", "7.12.3", WEB_LOCK, 200, direct=True, dev=True, depends_on=("pkg:npm/minimist@1.2.5",)
)
G_MINIMIST = _npm("minimist", "1.2.5", WEB_LOCK, 240, direct=False, dev=True)
G_DEBUG_ADMIN = _npm("debug", "2.6.8", ADMIN_LOCK, 12, direct=True)
G_DJANGO = Package("django", "3.2.0", "PyPI", "pkg:pypi/django@3.2.0", Location(API_REQS, 2))
G_INTERNAL = Package("acme-internal", "0.4.0", "PyPI", None, Location(API_REQS, 9), direct=True)
G_DATABIND = Package(
    "com.fasterxml.jackson.core:jackson-databind",
    "2.9.10",
    "Maven",
    "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.10",
    Location("backend/pom.xml", 31),
    direct=True,
    depends_on=("pkg:maven/com.fasterxml.jackson.core/jackson-annotations@2.9.10",),
)
G_ANNOTATIONS = Package(
    "com.fasterxml.jackson.core:jackson-annotations",
    "2.9.10",
    "Maven",
    "pkg:maven/com.fasterxml.jackson.core/jackson-annotations@2.9.10",
    Location("backend/pom.xml"),
    direct=False,
)
G_GIN = Package(
    "github.com/gin-gonic/gin", "v1.6.3", "Go", "pkg:golang/github.com/gin-gonic/gin@v1.6.3", Location("go.mod", 5),
    direct=True,
)

GRAPH_PACKAGES = (
    G_MS, G_GIN, G_DEBUG_WEB_NESTED, G_INTERNAL, G_EXPRESS, G_DATABIND, G_MINIMIST, G_DEBUG_ADMIN,
    G_BABEL, G_ANNOTATIONS, G_DJANGO, G_BODY_PARSER, G_DEBUG_WEB,
)  # fmt: skip

GRAPH_FINDINGS = (
    make_finding(
        G_DEBUG_WEB,
        "GHSA-gxpj-cx7g-858c",
        Severity.MEDIUM,
        "Regular Expression Denial of Service in debug",
        aliases=("CVE-2017-16137",),
        fixed_in="2.6.9",
        cvss_score=5.3,
        cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L",
    ),
    make_finding(
        G_DEBUG_ADMIN,
        "GHSA-gxpj-cx7g-858c",
        Severity.MEDIUM,
        "Regular Expression Denial of Service in debug",
        aliases=("CVE-2017-16137",),
        fixed_in="2.6.9",
        cvss_score=5.3,
        cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L",
    ),
    make_finding(
        G_DJANGO,
        "PYSEC-2021-98",
        Severity.UNKNOWN,
        "Directory traversal in Django",
        aliases=("CVE-2021-31542",),
        fixed_in="3.2.1",
        cvss_vector="AV:N/AC:L/Au:N/C:P/I:N/A:N",
    ),
)


@pytest.fixture
def graph_report() -> Report:
    return Report(
        target="examples/monorepo",
        target_type="directory",
        created_at=CREATED_AT,
        tool_version=TOOL_VERSION,
        packages=GRAPH_PACKAGES,
        findings=GRAPH_FINDINGS,
        database=DATABASE,
    )


def _synthetic(i: int) -> tuple[str, str, str]:
    """(ecosystem, name, purl) of the i-th synthetic package: five ecosystems in turn."""
    kind, version = i % 5, f"{i % 5}.{i % 7}.0"
    if kind == 0:
        return "npm", f"pkg-{i}", f"pkg:npm/pkg-{i}@{version}"
    if kind == 1:
        return "PyPI", f"py-pkg-{i}", f"pkg:pypi/py-pkg-{i}@{version}"
    if kind == 2:
        return "Maven", f"org.example{i % 9}:artifact-{i}", f"pkg:maven/org.example{i % 9}/artifact-{i}@{version}"
    if kind == 3:
        return "Go", f"github.com/org/mod{i}", f"pkg:golang/github.com/org/mod{i}@v{version}"
    return "crates.io", f"crate{i}", f"pkg:cargo/crate{i}@{version}"


def build_sbom_report(count: int = 5000) -> Report:
    """`count` packages in 10 lockfiles, each depending on the next two packages of its file."""
    packages = []
    for i in range(count):
        ecosystem, name, purl = _synthetic(i)
        deps = tuple(_synthetic(j)[2] for j in (i + 10, i + 20) if j < count)
        location = Location(f"app{i % 10}/lockfile", i + 1)
        version = purl.rpartition("@")[2]
        packages.append(Package(name, version, ecosystem, purl, location, i % 3 == 0, i % 11 == 0, deps))
    return Report("big", "directory", CREATED_AT, TOOL_VERSION, packages=tuple(packages))


def _osv(adv_id: str, ecosystem: str, name: str, fixed: str, kind: str = "ECOSYSTEM") -> dict[str, object]:
    ranges = [{"type": kind, "events": [{"introduced": "0"}, {"fixed": fixed}]}]
    return {
        "id": adv_id,
        "modified": "2024-01-01T00:00:00Z",
        "summary": f"Synthetic advisory for {name}",
        "affected": [{"package": {"ecosystem": ecosystem, "name": name}, "ranges": ranges}],
    }


GRAPH_ADVISORIES = (
    _osv("GHSA-gxpj-cx7g-858c", "npm", "debug", "2.6.9"),
    _osv("GHSA-xvch-5gv4-984h", "npm", "minimist", "1.2.6"),
    _osv("PYSEC-2021-98", "PyPI", "django", "3.2.1"),
    _osv("GHSA-test-jack-0001", "Maven", "com.fasterxml.jackson.core:jackson-databind", "2.9.10.1"),
    _osv("GO-2020-0001", "Go", "github.com/gin-gonic/gin", "1.7.0", "SEMVER"),
)


@pytest.fixture(scope="session")
def graph_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An advisory database with one advisory for several packages of `graph_report`."""
    import json

    from shiftsec.vulndb.importing import import_paths
    from shiftsec.vulndb.store import Store

    folder = tmp_path_factory.mktemp("graph-advisories")
    for record in GRAPH_ADVISORIES:
        (folder / f"{record['id']}.json").write_text(json.dumps(record))
    path = folder / "db.sqlite"
    with Store.open(path, create=True) as store:
        assert import_paths(store, [folder]).errors == []
    return path


# --- a report judged by a policy (`shiftsec ci`) ---------------------------------------------------------------
#
# The sample findings plus a secret, a misconfiguration and a SAST finding; some are new against the baseline,
# some existing; one suppressed by a governed exception, one by a VEX statement, one inline; KEV/EPSS and CWEs
# where they matter. Three rules fail, one passes; one exception has expired and one is stale.


def _by_rule(rule_id: str) -> Finding:
    return next(finding for finding in FINDINGS if finding.rule_id == rule_id)


P_LOG4J = dataclasses.replace(_by_rule("GHSA-jfh8-c2jp-5v3q"), change="new", kev=True, epss=0.97565)
P_LODASH_HIGH = dataclasses.replace(_by_rule("GHSA-35jh-r3h4-6jhm"), change="new", kev=False, epss=0.0123)
P_MINIMIST = dataclasses.replace(
    _by_rule("GHSA-xvch-5gv4-984h"),
    change="existing",
    suppression=Suppression(
        SuppressionKind.EXCEPTION, "dev-only build tool, never shipped", owner="team-web", expires="2026-12-31",
        source="shiftsec.yaml",
    ),
)
P_URLLIB3 = dataclasses.replace(
    _by_rule("GHSA-q2q7-5pp4-w6pg"),
    change="existing",
    suppression=Suppression(
        SuppressionKind.VEX, "we never parse user-supplied URLs", justification="vulnerable_code_not_in_execute_path",
        source="vex/app.openvex.json",
    ),
)
P_SECRET = Finding(
    type=FindingType.SECRET,
    rule_id="github-pat",
    severity=Severity.HIGH,
    title="GitHub personal access token",
    message="A GitHub personal access token is exposed.",
    fingerprint=fingerprint("github-pat", "0f" * 32, "config/settings.py"),
    location=Location("config/settings.py", 12),
    remediation="Revoke the token on GitHub, then remove it from the code and its history.",
    evidence="ghp_… (40 characters)",
    secret_sha256="0f" * 32,
    change="new",
)
P_MISCONFIG = Finding(
    type=FindingType.MISCONFIG,
    rule_id="KSV012",
    severity=Severity.MEDIUM,
    title="Runs as root user",
    message="Container 'api' of Deployment 'api' should set securityContext.runAsNonRoot to true.",
    fingerprint=fingerprint("KSV012", "deploy/api.yaml", "api"),
    location=Location("deploy/api.yaml", 21),
    remediation="Set containers[].securityContext.runAsNonRoot to true.",
    description="Running as a non-root user limits what a compromised container can do.",
    change="existing",
)
P_SAST = Finding(
    type=FindingType.SAST,
    rule_id="B608",
    severity=Severity.MEDIUM,
    title="Possible SQL injection via string-based query construction",
    message="Query built with an f-string from request data.",
    fingerprint=fingerprint("B608", "app/db.py"),
    location=Location("app/db.py", 42, 44),
    remediation="Use a parameterised query.",
    cwes=("CWE-89",),
    references=("https://cwe.mitre.org/data/definitions/89.html",),
    change="new",
    sources=("bandit",),
    suppression=Suppression(SuppressionKind.INLINE, "constant table name, reviewed", source="app/db.py:42"),
)

POLICY_FINDINGS = (
    *(f for f in FINDINGS if f.rule_id not in {P_LOG4J.rule_id, P_LODASH_HIGH.rule_id, P_MINIMIST.rule_id,
                                               P_URLLIB3.rule_id}),
    P_LOG4J, P_LODASH_HIGH, P_MINIMIST, P_URLLIB3, P_SECRET, P_MISCONFIG, P_SAST,
)  # fmt: skip

POLICY_RULES = (
    RuleOutcome("no-critical", "any type, severity >= CRITICAL", (P_LOG4J,)),
    RuleOutcome("fixable-high", "vulnerability, severity >= HIGH, fix available", (P_LODASH_HIGH, P_LOG4J)),
    RuleOutcome("no-secrets", "secret, any severity", (P_SECRET,)),
    RuleOutcome("misconfig-high", "misconfig, severity >= HIGH"),
)

POLICY_EXCEPTIONS = (
    ExceptionNote("expired", "GHSA-29mw-wpgm-hmr9 in lodash", "upgrade planned with the UI rewrite", "team-web",
                  "2024-04-30", "shiftsec.yaml:14"),
    ExceptionNote("stale", "CVE-2019-10744", "old lodash, removed since", "team-api", "2025-01-31",
                  "shiftsec.yaml:21"),
)

POLICY_VERDICT = Verdict(
    passed=False, rules=POLICY_RULES, policy="shiftsec.yaml", exceptions=POLICY_EXCEPTIONS, baseline="origin/main",
)


@pytest.fixture
def policy_report(sample_report: Report) -> Report:
    """`sample_report` judged by a policy that fails (see above)."""
    return dataclasses.replace(
        sample_report, findings=POLICY_FINDINGS, verdict=POLICY_VERDICT, scanners=("vuln", "secret", "misconfig"),
    )


@pytest.fixture
def passed_report(policy_report: Report) -> Report:
    """`policy_report` with every rule passing, no exception notes, and only new findings able to fail."""
    rules = tuple(dataclasses.replace(rule, failing=()) for rule in POLICY_RULES)
    verdict = dataclasses.replace(POLICY_VERDICT, passed=True, rules=rules, exceptions=(), new_only=True)
    return dataclasses.replace(policy_report, verdict=verdict)
