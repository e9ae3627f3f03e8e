"""Output formats: each module turns a finished `Report` into text and does nothing else.

    json    the versioned machine-readable report (schema in `shiftsec/schemas/report.schema.json`,
            documented in `docs/report-format.md`)
    sarif       SARIF 2.1.0 for GitHub code scanning and other SARIF consumers
    table       the default terminal output (rich for text, the grid drawn directly)
    markdown    a pull-request comment: what to upgrade first, findings folded below
    cyclonedx   a CycloneDX 1.6 JSON SBOM with the dependency graph and lockfile locations
    spdx        an SPDX 2.3 JSON SBOM
    junit       JUnit XML: one test case per policy rule (CI test-report views)
    html        one self-contained page: verdict, chart, findings by type and severity with their fixes
    openvex     OpenVEX 0.2.0 statements for the suppressions that carry a VEX justification
    verdict     the short pass/fail text `shiftsec ci` prints, with how to fix each failing finding

Every module exposes `render(report) -> str`. Reporters never print, never exit and never touch the
advisory database; the CLI decides where the text goes. Output is deterministic: the same report always
renders to the same text, whatever order the scanner produced its findings in.
"""
