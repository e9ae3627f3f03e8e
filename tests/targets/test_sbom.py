"""Reading CycloneDX and SPDX SBOMs into packages, over real public fixtures and a few hand-made ones.

Expected values below were written by reading each fixture. Packages are compared as (ecosystem, name,
version) in document order; component errors by a fragment of their message.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from shiftsec.errors import SbomError
from shiftsec.model import Location, ScanError
from shiftsec.purl import parse_purl
from shiftsec.targets.sbom import SbomInventory, read_sbom
from tests.conftest import shared

FIXTURES = Path(__file__).parent / "fixtures" / "sbom"
SCALIBR_CDX = ("lockfiles", "osv-scalibr", "sbom", "cdx", "testdata")
SCALIBR_SPDX = ("lockfiles", "osv-scalibr", "sbom", "spdx", "testdata")
SCANNER_SBOMS = ("lockfiles", "osv-scanner", "scan", "source", "testdata", "sbom-insecure")
LOCKS_MANY_ALPINE = ("lockfiles", "osv-scanner", "testdata", "locks-many", "alpine.cdx.xml")


def fixture(where: tuple[str, ...] | None, name: str) -> Path:
    return FIXTURES / name if where is None else shared(*where, name)


@dataclass(frozen=True)
class Case:
    where: tuple[str, ...] | None  # a shared corpus folder, or None for tests/targets/fixtures/sbom
    name: str
    format: str
    spec_version: str
    packages: tuple[tuple[str, str, str], ...]  # (ecosystem, name, version), in document order
    errors: tuple[str, ...] = ()  # one fragment per expected component error, in order
    skipped: int = 0


def _alpine_317(*name_versions: str) -> tuple[tuple[str, str, str], ...]:
    return tuple(("Alpine:v3.17", *nv.split("@")) for nv in name_versions)  # type: ignore[misc]


ALPINE_317 = (
    "alpine-baselayout@3.4.0-r0",
    "alpine-baselayout-data@3.4.0-r0",
    "alpine-keys@2.4-r1",
    "apk-tools@2.12.10-r1",
    "busybox-binsh@1.36.1-r27",
    "ca-certificates-bundle@20220614-r4",
    "libc-utils@0.7.2-r3",
    "libcrypto3@3.0.8-r0",
    "libssl3@3.0.8-r0",
    "musl@1.2.3-r4",
    "musl-utils@1.2.3-r4",
    "scanelf@1.3.5-r1",
    "ssl_client@1.36.1-r27",
)
BUSYBOX_BINARY = "component 'busybox@1.35.0' (bom-ref e93bc067bebd50a9): no purl"
NGINX_OPENSSL_CDX = (
    "component 'openssl@1.1.1' (bom-ref openssl-1.1.1): purl type 'generic' has no OSV ecosystem",
    "component 'Nginx@1.21.1' (bom-ref nginx-1.21.1): no purl",
)
OPENSSL_SPDX = "component 'openssl@1.1.1l' (SPDXID SPDXRef-openssl): purl type 'generic' has no OSV ecosystem"

CASES: dict[str, Case] = {
    # --- CycloneDX JSON
    "scalibr cdx 1.4 json": Case(SCALIBR_CDX, "sbom.cdx.json", "CycloneDX JSON", "1.4", (), NGINX_OPENSSL_CDX),
    "scalibr cdx 1.4 json, other name": Case(
        SCALIBR_CDX, "sbom.bom.json", "CycloneDX JSON", "1.4", (), NGINX_OPENSSL_CDX
    ),
    "scalibr cdx nested components": Case(
        SCALIBR_CDX,
        "sbom-with-nested-comps.cdx.json",
        "CycloneDX JSON",
        "1.4",
        (("crates.io", "rustls", "0.23.13"),),
        NGINX_OPENSSL_CDX,
    ),
    "scalibr cdx encoded npm scope": Case(
        SCALIBR_CDX,
        "sbom-with-locations.cdx.json",
        "CycloneDX JSON",
        "1.4",
        (("npm", "@gar/promisify", "1.1.3"),),
    ),
    "scalibr cdx 1.6 only a subject": Case(SCALIBR_CDX, "minimal.cdx.json", "CycloneDX JSON", "1.6", (), skipped=1),
    "scanner cdx 1.6 alpine bare distro": Case(
        SCANNER_SBOMS,
        "alpine-zlib-16.cdx.json",
        "CycloneDX JSON",
        "1.6",
        (("Alpine:v3.22", "zlib", "1.2.12-r1"),),
        skipped=1,
    ),
    "cdx 1.2 json": Case(
        None,
        "cyclonedx-1.2.json",
        "CycloneDX JSON",
        "1.2",
        (
            ("PyPI", "flask", "1.1.2"),
            ("RubyGems", "rails", "6.1.0"),
            ("crates.io", "serde", "1.0.130"),
            ("NuGet", "Newtonsoft.Json", "12.0.3"),
        ),
        skipped=1,
    ),
    "cdx 1.5 json": Case(
        None,
        "cyclonedx-1.5.json",
        "CycloneDX JSON",
        "1.5",
        (
            ("npm", "express", "4.17.1"),
            ("npm", "@angular/core", "12.2.0"),
            ("npm", "rxjs", "6.6.7"),
            ("Packagist", "laravel/framework", "8.0.0"),
            ("Debian:12", "libc6", "1:2.36-9"),
            ("Alpine:v3.18", "busybox", "1.36.1-r5"),
            ("Ubuntu:22.04", "bash", "5.1-6ubuntu1"),
        ),
        (
            "component 'left-pad' (bom-ref g1): no version in the purl or the component",
            "component 'thing@1.0' (bom-ref x1): purl type 'generic' has no OSV ecosystem",
            "component 'broken@1.0' (bom-ref x2): invalid purl 'npm/broken@1.0': missing 'pkg:' scheme",
        ),
        skipped=2,
    ),
    # --- CycloneDX XML
    "scalibr cdx 1.4 xml": Case(SCALIBR_CDX, "sbom.cdx.xml", "CycloneDX XML", "1.4", (), NGINX_OPENSSL_CDX),
    "scalibr cdx 1.4 xml, other name": Case(SCALIBR_CDX, "sbom.bom.xml", "CycloneDX XML", "1.4", (), NGINX_OPENSSL_CDX),
    "scanner alpine (syft)": Case(
        SCANNER_SBOMS,
        "alpine.cdx.xml",
        "CycloneDX XML",
        "1.4",
        _alpine_317(*ALPINE_317, "zlib@1.2.10-r0"),
        (BUSYBOX_BINARY,),
        skipped=2,
    ),
    "scanner alpine, locks-many copy": Case(
        ("lockfiles", "osv-scanner", "testdata", "locks-many"),
        "alpine.cdx.xml",
        "CycloneDX XML",
        "1.4",
        _alpine_317(*ALPINE_317, "zlib@1.2.13-r0"),
        (BUSYBOX_BINARY,),
        skipped=2,
    ),
    "scanner duplicates reported once": Case(
        SCANNER_SBOMS,
        "with-duplicates.cdx.xml",
        "CycloneDX XML",
        "1.4",
        _alpine_317(*ALPINE_317, "zlib@1.2.10-r0"),
        (BUSYBOX_BINARY,),
        skipped=2,
    ),
    "scanner bad purls": Case(
        SCANNER_SBOMS,
        "bad-purls.cdx.xml",
        "CycloneDX XML",
        "1.4",
        _alpine_317(
            "alpine-baselayout@3.4.0-r0",
            "alpine-baselayout-data@3.4.0-r0",
            "apk-tools@2.12.10-r1",
            "busybox-binsh@1.36.1-r27",
            "libcrypto3@3.0.8-r0",
            "libssl3@3.0.8-r0",
            "musl-utils@1.2.3-r4",
            "scanelf@1.3.5-r1",
        ),
        (
            "component 'alpine-keys@2.4-r1' (bom-ref pkg:apk/alpine/alpine-keys@2.4-r1?",
            BUSYBOX_BINARY,
            "component 'ca-certificates-bundle@20220614-r4' (bom-ref pkg:apk/alpine/ca-certificates-bundle",
            "component 'libc-utils@0.7.2-r3' (bom-ref pkg:apk/alpine/libc-utils@0.7.2-r3?",
            "component 'musl@1.2.3-r4' (bom-ref pkg:apk/alpine/musl@1.2.3-r4?",
            "component 'ssl_client@1.36.1-r27' (bom-ref pkg:apk/alpine/ssl_client@1.36.1-r27?",
            "component 'zlib@1.2.10-r0' (bom-ref pkg:apk/alpine/zlib@1.2.10-r0?",
        ),
        skipped=2,
    ),
    "cdx 1.2 xml": Case(
        None,
        "cyclonedx-1.2.xml",
        "CycloneDX XML",
        "1.2",
        (
            ("PyPI", "requests", "2.25.1"),
            ("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1"),
            ("Maven", "org.apache.logging.log4j:log4j-api", "2.14.1"),
            ("npm", "lodash", "4.17.20"),
            ("Go", "github.com/BurntSushi/toml", "v0.3.1"),
        ),
        ("component 'libfoo@0.9' (bom-ref libfoo): no purl",),
        skipped=2,
    ),
    "cdx 1.6 xml": Case(
        None,
        "cyclonedx-1.6.xml",
        "CycloneDX XML",
        "1.6",
        (
            ("Debian:12", "openssl", "3.0.11-1~deb12u2"),
            ("Debian:12", "tzdata", "2024a-0+deb12u1"),
            ("Rocky Linux:9", "bash", "0:5.1.8-6.el9"),
        ),
        skipped=3,
    ),
    # --- SPDX JSON
    "scalibr spdx 2.3 json": Case(SCALIBR_SPDX, "sbom.spdx.json", "SPDX JSON", "2.3", (), (OPENSSL_SPDX,), skipped=1),
    "scalibr spdx purl and cpe": Case(
        SCALIBR_SPDX,
        "purl_and_cpe.spdx.json",
        "SPDX JSON",
        "2.3",
        (),
        (
            "component 'Nginx@1.21.1' (SPDXID SPDXRef-nginx): purl type 'generic' has no OSV ecosystem",
            OPENSSL_SPDX,
        ),
    ),
    "scalibr spdx without packages": Case(SCALIBR_SPDX, "minimal.spdx.json", "SPDX JSON", "2.3", ()),
    "scalibr spdx descendant of": Case(
        SCALIBR_SPDX, "descendant_of.spdx.json", "SPDX JSON", "2.3", (("Maven", "log4j:log4j", "1.2.15"),)
    ),
    "scalibr spdx ancestor of": Case(
        SCALIBR_SPDX, "ancestor_of.spdx.json", "SPDX JSON", "2.3", (("Maven", "log4j:log4j", "1.2.15"),)
    ),
    "scalibr spdx overlapping refs": Case(
        SCALIBR_SPDX, "overlapping_refs.spdx.json", "SPDX JSON", "2.3", (("Maven", "log4j:log4j", "1.2.15"),)
    ),
    "scalibr spdx multi descendant": Case(
        SCALIBR_SPDX,
        "multi_descendant.spdx.json",
        "SPDX JSON",
        "2.3",
        (),
        ("component 'v5_arm@5.0' (SPDXID SPDXRef-DownstreamPackage-pkg-arm): purl type 'generic'",),
    ),
    "scalibr spdx independent descendant": Case(
        SCALIBR_SPDX,
        "independent_packages_descendant.spdx.json",
        "SPDX JSON",
        "2.3",
        (),
        ("component 'child-pkg@1.0.0'", "component 'parent-pkg@2.0.0'"),
    ),
    "scalibr spdx external refs": Case(
        SCALIBR_SPDX,
        "external_refs.spdx.json",
        "SPDX JSON",
        "2.3",
        (),
        (
            "component 'flatbuffers' (SPDXID SPDXRef-Package-flatbuffers): no purl",
            "component 'flatbuffers@25.9.23' (SPDXID SPDXRef-SourcePackage-flatbuffers): purl type 'generic'",
            "component 'custom-pkg@1.0.0' (SPDXID SPDXRef-custom-pkg): no purl",
        ),
    ),
    "scalibr spdx docker hardened image": Case(
        (*SCALIBR_SPDX, "dhi"),
        ".spdx.dhi-python.json",
        "SPDX JSON",
        "2.3",
        (),
        ("component 'dhi/python@3.14.3-debian13-dev' (SPDXID SPDXRef-dhi-python): purl type 'docker'",),
    ),
    "scalibr spdx dhi purl type": Case(
        (*SCALIBR_SPDX, "dhi"),
        ".spdx.python.json",
        "SPDX JSON",
        "2.3",
        (),
        ("component 'python@3.14.3' (SPDXID SPDXRef-python): purl type 'dhi' has no OSV ecosystem",),
    ),
    "scanner spdx ubuntu epoch": Case(
        SCANNER_SBOMS,
        "only-unimportant.spdx.json",
        "SPDX JSON",
        "2.3",
        (("Ubuntu:20.04", "pcre3", "2:8.39-12ubuntu0.1"),),
    ),
    "spdx 2.2 json": Case(
        None,
        "spdx-2.2.json",
        "SPDX JSON",
        "2.2",
        (
            ("Red Hat", "openssl-libs", "1:3.0.7-24.el9"),
            ("Wolfi", "jq", "1.6-r3"),
            ("Go", "github.com/gin-gonic/gin", "v1.7.0"),
        ),
        (
            "component 'curl@7.76.1-26.fc34' (SPDXID SPDXRef-Package-curl): "
            "purl type 'rpm' with namespace 'fedora' has no OSV ecosystem",
        ),
        skipped=1,
    ),
    # --- SPDX tag-value
    "scalibr spdx 2.3 tag-value": Case(
        SCALIBR_SPDX, "sbom.spdx", "SPDX tag-value", "2.3", (), (OPENSSL_SPDX,), skipped=1
    ),
    "spdx 2.2 tag-value": Case(
        None,
        "spdx-2.2.spdx",
        "SPDX tag-value",
        "2.2",
        (("PyPI", "django", "3.2.4"), ("Alpine:v3.13", "zlib", "1.2.11-r3")),
        ("component 'mystery' (SPDXID SPDXRef-Package-mystery): no purl",),
        skipped=1,
    ),
}


def _read(case: Case) -> tuple[Path, SbomInventory]:
    path = fixture(case.where, case.name)
    return path, read_sbom(path)


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_read(case: Case) -> None:
    path, inventory = _read(case)
    assert (inventory.format, inventory.spec_version) == (case.format, case.spec_version)
    assert [(p.ecosystem, p.name, p.version) for p in inventory.packages] == list(case.packages)
    assert len(inventory.errors) == len(case.errors), [e.message for e in inventory.errors]
    for error, fragment in zip(inventory.errors, case.errors, strict=True):
        assert fragment in error.message
        assert (error.path, error.kind) == (str(path), "sbom-component")
        assert "\n" not in error.message
    assert inventory.skipped == case.skipped


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_packages_keep_their_purl_and_location(case: Case) -> None:
    path, inventory = _read(case)
    for package in inventory.packages:
        assert package.location == Location(path=str(path))
        assert package.purl is not None
        assert package.purl == package.purl.strip()
        parse_purl(package.purl)  # the original purl string, which parses
        assert package.direct is None
        assert not package.dev


def test_original_purl_string_is_kept() -> None:
    _, inventory = _read(CASES["scalibr cdx encoded npm scope"])
    assert [p.purl for p in inventory.packages] == ["pkg:npm/%40gar%2Fpromisify@1.1.3"]
    _, inventory = _read(CASES["cdx 1.2 xml"])
    assert inventory.packages[3].purl == "pkg:npm/lodash@4.17.20"  # surrounding whitespace removed


def test_postgres_stretch_image() -> None:
    path = shared(*SCANNER_SBOMS, "postgres-stretch.cdx.xml")
    inventory = read_sbom(path)
    assert (inventory.format, inventory.spec_version) == ("CycloneDX XML", "1.4")
    found = {(p.ecosystem, p.name, p.version) for p in inventory.packages}
    assert len(inventory.packages) == len(found) == 135  # 132 dpkg packages and 3 Go binaries
    assert sum(p.ecosystem == "Debian:9" for p in inventory.packages) == 132
    assert {
        ("Debian:9", "adduser", "3.115"),
        ("Debian:9", "apt", "1.4.11"),
        ("Debian:9", "base-files", "9.9+deb9u13"),
        ("Go", "github.com/opencontainers/runc", "v1.0.1"),
        ("Go", "github.com/tianon/gosu", "(devel)"),
        ("Go", "golang.org/x/sys", "v0.0.0-20210817142637-7d9622a276b7"),
    } <= found
    assert [e.message for e in inventory.errors] == [
        "component 'postgresql@11.15' (bom-ref pkg:generic/postgresql@11.15?package-id=127784473033d1e8): "
        "purl type 'generic' has no OSV ecosystem"
    ]
    assert inventory.skipped == 2  # the container (metadata.component) and the operating-system component


# --- not an SBOM we can read --------------------------------------------------------------------------------

NOT_SBOM_FILES = {
    "scalibr cdx text": (SCALIBR_CDX, "invalid_sbom.cdxjson", "not a CycloneDX or SPDX document"),
    "scalibr cdx random": (SCALIBR_CDX, "random_file.ext", "not a CycloneDX or SPDX document"),
    "scalibr cdx text, sbom-like name": (
        SCALIBR_CDX,
        "sbom.cdx.json.foo.ext",
        "not a CycloneDX or SPDX document",
    ),
    "scalibr spdx text": (SCALIBR_SPDX, "invalid_sbom.spdx", "not a CycloneDX or SPDX document"),
    "scalibr spdx random": (SCALIBR_SPDX, "random_file.ext", "not a CycloneDX or SPDX document"),
    "scalibr spdx yaml": (SCALIBR_SPDX, "sbom.spdx.yml", "SPDX YAML is not supported"),
    "scalibr spdx rdf": (SCALIBR_SPDX, "sbom.spdx.rdf", "SPDX RDF/XML is not supported"),
    "scanner config toml": (SCANNER_SBOMS, "osv-scanner.toml", "invalid JSON"),
}


@pytest.mark.parametrize(("where", "name", "reason"), list(NOT_SBOM_FILES.values()), ids=list(NOT_SBOM_FILES))
def test_not_an_sbom_file(where: tuple[str, ...], name: str, reason: str) -> None:
    path = shared(*where, name)
    with pytest.raises(SbomError) as info:
        read_sbom(path)
    assert str(info.value).startswith(f"{path}: ")
    assert reason in str(info.value)


NOT_SBOM_CONTENT: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "empty file"),
    "whitespace": (b" \n\t\r\n", "empty file"),
    "invalid json": (b'{"bomFormat": "CycloneDX",', "invalid JSON"),
    "json object of something else": (b'{"foo": 1}', "not a CycloneDX or SPDX document"),
    "json list": (b'[{"bomFormat": "CycloneDX"}]', "JSON list is not a CycloneDX or SPDX document"),
    "json string": (b'"bom"', "not a CycloneDX or SPDX document"),
    "json nested too deeply": (b"[" * 100_000, "nested too deeply"),
    "cyclonedx without specVersion": (b'{"bomFormat": "CycloneDX", "components": []}', "specVersion"),
    "cyclonedx 2.0": (
        b'{"bomFormat": "CycloneDX", "specVersion": "2.0"}',
        "unsupported CycloneDX specVersion",
    ),
    "cyclonedx components not a list": (
        b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": {"name": "x"}}',
        "'components' is not a list",
    ),
    "cyclonedx component not an object": (
        b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": ["pkg:npm/x@1"]}',
        "component is not an object",
    ),
    "spdx 1.2": (b'{"spdxVersion": "SPDX-1.2", "packages": []}', "unsupported SPDX version"),
    "spdx packages not a list": (b'{"spdxVersion": "SPDX-2.3", "packages": {}}', "'packages' is not a list"),
    "spdx 3 json-ld": (
        b'{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}',
        "SPDX 3 (JSON-LD) is not supported",
    ),
    "xml of another namespace": (
        b'<?xml version="1.0"?><bom xmlns="http://example.com/bom"/>',
        "not a CycloneDX BOM",
    ),
    "xml without namespace": (b"<bom><components/></bom>", "not a CycloneDX BOM"),
    "html": (b"<!DOCTYPE html><html><body>hi</body></html>", "XML root <html> is not a CycloneDX BOM"),
    "html, not well-formed": (b"<html><body><br></body></html>", "invalid XML"),
    "truncated xml": (b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><comp', "invalid XML"),
    "xml entity expansion": (
        b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4">&b;</bom>',
        "XML refused",
    ),
    "xml external entity": (
        b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4">&x;</bom>',
        "XML refused",
    ),
    "binary junk": (bytes(range(256)) * 4, "binary or non-UTF-8"),
    "gzip": (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd\xc9\xc9\x07\x00", "binary or non-UTF-8"),
    "tag-value without version": (
        b"PackageName: foo\nPackageVersion: 1\n",
        "not a CycloneDX or SPDX document",
    ),
    "tag-value spdx 1.2": (b"SPDXVersion: SPDX-1.2\n", "unsupported SPDX version"),
    "tag-value unterminated text": (
        b"SPDXVersion: SPDX-2.3\nPackageName: x\nPackageDescription: <text>a\nb\n",
        "unterminated <text>",
    ),
    "tag-value garbage line": (b"SPDXVersion: SPDX-2.3\nthis is not a tag\n", "expected 'Tag: value'"),
}


@pytest.mark.parametrize(("content", "reason"), list(NOT_SBOM_CONTENT.values()), ids=list(NOT_SBOM_CONTENT))
def test_not_an_sbom_content(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(content)
    with pytest.raises(SbomError) as info:
        read_sbom(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert reason in message
    assert "\n" not in message


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(SbomError, match="is a directory"):
        read_sbom(tmp_path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SbomError, match="No such file"):
        read_sbom(tmp_path / "missing.cdx.json")


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bom.json"
    path.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.5"}')

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)  # root can read a chmod 000 file, so fake the refusal
    with pytest.raises(SbomError, match="Permission denied"):
        read_sbom(path)


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    import os

    path = tmp_path / "pipe"
    os.mkfifo(path)
    with pytest.raises(SbomError, match="not a regular file"):
        read_sbom(path)


# --- encodings and odd but valid input ----------------------------------------------------------------------


def _cdx(components: list[dict[str, object]]) -> dict[str, object]:
    return {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": components}


def test_utf16_and_bom_prefixed_json(tmp_path: Path) -> None:
    doc = json.dumps(_cdx([{"type": "library", "name": "x", "version": "1", "purl": "pkg:pypi/x@1"}]))
    for i, data in enumerate([doc.encode("utf-16"), b"\xef\xbb\xbf" + doc.encode()]):
        path = tmp_path / f"bom{i}.json"
        path.write_bytes(data)
        assert [(p.ecosystem, p.name) for p in read_sbom(path).packages] == [("PyPI", "x")]


def test_xml_in_another_encoding(tmp_path: Path) -> None:
    path = tmp_path / "bom.xml"
    path.write_bytes(
        '<?xml version="1.0" encoding="ISO-8859-1"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5">'
        '<components><component type="library"><name>café</name><version>1.0</version>'
        "<purl>pkg:generic/caf%C3%A9@1.0</purl></component></components></bom>".encode("latin-1")
    )
    inventory = read_sbom(path)
    assert [e.message for e in inventory.errors] == ["component 'café@1.0': purl type 'generic' has no OSV ecosystem"]


def test_odd_json_values_become_component_errors(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_text(
        json.dumps(
            _cdx(
                [
                    {"type": "library", "name": 7, "version": 1.5, "purl": 12},
                    {"type": "library", "name": None, "version": True, "purl": ["pkg:npm/x@1"]},
                    {"type": 3, "name": "ok", "version": "2", "purl": "pkg:npm/ok@2", "bom-ref": {"x": 1}},
                ]
            )
        )
    )
    inventory = read_sbom(path)
    assert [(p.name, p.version) for p in inventory.packages] == [("ok", "2")]
    assert [e.message for e in inventory.errors] == [
        "component '7@1.5': invalid purl '12': missing 'pkg:' scheme",
        "component '<unnamed>': invalid purl '[\"pkg:npm/x@1\"]': scheme must be 'pkg', not '[\"pkg'",
    ]


def test_component_without_purl_or_name(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(_cdx([{"type": "library"}, {"type": "library", "purl": "  "}])))
    inventory = read_sbom(path)
    assert [e.message for e in inventory.errors] == ["component '<unnamed>': no purl"]  # the same message once


def test_skippable_component_with_a_purl_is_not_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    comps = [
        {"type": "operating-system", "name": "debian", "version": "12"},
        {"type": "container", "name": "img", "version": "1", "purl": "pkg:docker/library/img@1"},
        {"type": "file", "name": "lib.jar", "version": "2.0", "purl": "pkg:maven/org.x/lib@2.0"},
    ]
    path.write_text(json.dumps(_cdx(comps)))
    inventory = read_sbom(path)
    assert inventory.skipped == 1
    assert [(p.ecosystem, p.name) for p in inventory.packages] == [("Maven", "org.x:lib")]
    assert [e.message for e in inventory.errors] == ["component 'img@1': purl type 'docker' has no OSV ecosystem"]


def test_purls_differing_in_qualifiers_are_one_package(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    comps = [
        {"name": "libc6", "purl": "pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12"},
        {"name": "libc6", "purl": "pkg:deb/debian/libc6@2.36-9?distro=debian-12&arch=i386"},
        {"name": "libc6", "purl": "pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12"},
    ]
    path.write_text(json.dumps(_cdx(comps)))
    inventory = read_sbom(path)
    assert [p.purl for p in inventory.packages] == ["pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12"]


def test_deeply_nested_components(tmp_path: Path) -> None:
    comp: dict[str, object] = {"type": "library", "name": "leaf", "version": "1", "purl": "pkg:npm/leaf@1"}
    for i in range(200):
        comp = {
            "type": "library",
            "name": f"n{i}",
            "version": "1",
            "purl": f"pkg:npm/n{i}@1",
            "components": [comp],
        }
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(_cdx([comp])))
    assert len(read_sbom(path).packages) == 201


# --- agreement with osv-scalibr's expectations --------------------------------------------------------------

# osv-scalibr's sbom extractors list every component that has a purl or a CPE, whatever its ecosystem;
# shiftsec lists only what it can match against OSV and reports the rest as component errors. For each
# scalibr case: the (name, version) pairs both list as packages, and scalibr's others with the reason
# shiftsec reports them instead (names compared case-insensitively: scalibr names come from the purl).
Agreement = tuple[str, tuple[str, ...], str, set[tuple[str, str]], dict[tuple[str, str], str]]
AGREEMENT: dict[str, Agreement] = {
    "sbom/cdx testdata/sbom.cdx.json#11": (
        "sbom/cdx", SCALIBR_CDX, "sbom.cdx.json", set(),
        {("nginx", "1.21.1"): "no purl", ("openssl", "1.1.1"): "purl type 'generic'"},
    ),
    "sbom/cdx testdata/sbom.cdx.xml#14": (
        "sbom/cdx", SCALIBR_CDX, "sbom.cdx.xml", set(),
        {("nginx", "1.21.1"): "no purl", ("openssl", "1.1.1"): "purl type 'generic'"},
    ),
    "sbom/cdx testdata/sbom-with-nested-comps.cdx.json": (
        "sbom/cdx", SCALIBR_CDX, "sbom-with-nested-comps.cdx.json", {("rustls", "0.23.13")},
        {("nginx", "1.21.1"): "no purl", ("openssl", "1.1.1"): "purl type 'generic'"},
    ),
    "sbom/cdx testdata/sbom-with-locations.cdx.json": (
        "sbom/cdx", SCALIBR_CDX, "sbom-with-locations.cdx.json", {("@gar/promisify", "1.1.3")}, {},
    ),
    "sbom/cdx testdata/minimal.cdx.json": ("sbom/cdx", SCALIBR_CDX, "minimal.cdx.json", set(), {}),
    "sbom/spdx testdata/minimal.spdx.json": ("sbom/spdx", SCALIBR_SPDX, "minimal.spdx.json", set(), {}),
    "sbom/spdx testdata/sbom.spdx.json#12": (
        "sbom/spdx", SCALIBR_SPDX, "sbom.spdx.json", set(), {("openssl", "1.1.1l"): "purl type 'generic'"},
    ),
    "sbom/spdx testdata/sbom.spdx#14": (
        "sbom/spdx", SCALIBR_SPDX, "sbom.spdx", set(), {("openssl", "1.1.1l"): "purl type 'generic'"},
    ),
    "sbom/spdx testdata/purl_and_cpe.spdx.json": (
        "sbom/spdx", SCALIBR_SPDX, "purl_and_cpe.spdx.json", set(),
        {("nginx", "1.21.1"): "purl type 'generic'", ("openssl", "1.1.1l"): "purl type 'generic'"},
    ),
    "sbom/spdx testdata/descendant_of.spdx.json": (
        "sbom/spdx", SCALIBR_SPDX, "descendant_of.spdx.json", {("log4j", "1.2.15")}, {},
    ),
    "sbom/spdx testdata/ancestor_of.spdx.json": (
        "sbom/spdx", SCALIBR_SPDX, "ancestor_of.spdx.json", {("log4j", "1.2.15")}, {},
    ),
    "sbom/spdx testdata/overlapping_refs.spdx.json": (
        "sbom/spdx", SCALIBR_SPDX, "overlapping_refs.spdx.json", {("log4j", "1.2.15")}, {},
    ),
    "sbom/spdx testdata/multi_descendant.spdx.json": (
        "sbom/spdx", SCALIBR_SPDX, "multi_descendant.spdx.json", set(),
        {("pkg", "5.0"): "purl type 'generic'"},
    ),
    "sbom/spdx testdata/independent_packages_descendant.spdx.json": (
        "sbom/spdx", SCALIBR_SPDX, "independent_packages_descendant.spdx.json", set(),
        {("child", "1.0.0"): "purl type 'generic'", ("parent", "2.0.0"): "purl type 'generic'"},
    ),
    "sbom/spdx testdata/external_refs.spdx.json": (
        "sbom/spdx", SCALIBR_SPDX, "external_refs.spdx.json", set(),
        # scalibr gives the version-less downstream flatbuffers package its source's version (no relationship
        # links them in the document) and lists custom-pkg, which has neither purl nor CPE
        {("flatbuffers", "25.9.23"): "purl type 'generic'", ("custom-pkg", "1.0.0"): "no purl"},
    ),
    "sbom/spdx testdata/dhi/.spdx.dhi-pkg-python.json": (
        "sbom/spdx", (*SCALIBR_SPDX, "dhi"), ".spdx.dhi-pkg-python.json", set(),
        {("pkg-python", "3.14.3-debian13"): "purl type 'docker'"},
    ),
    "sbom/spdx testdata/dhi/.spdx.dhi-python.json": (
        "sbom/spdx", (*SCALIBR_SPDX, "dhi"), ".spdx.dhi-python.json", set(),
        {("python", "3.14.3-debian13-dev"): "purl type 'docker'"},
    ),
    "sbom/spdx testdata/dhi/.spdx.python.json": (
        "sbom/spdx", (*SCALIBR_SPDX, "dhi"), ".spdx.python.json", set(),
        {("python", "3.14.3"): "purl type 'dhi'"},
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def scalibr_expected() -> dict[str, dict[str, object]]:
    data = json.loads(shared("lockfiles", "osv-scalibr", "EXPECTED_PACKAGES.json").read_text())
    cases: dict[str, dict[str, object]] = {}
    for extractor in ("sbom/cdx", "sbom/spdx"):
        for tests in data["extractors"][extractor].values():
            for key, case in tests.items():
                cases[f"{extractor} {key}"] = case
    return cases


@pytest.mark.parametrize("key", list(AGREEMENT), ids=list(AGREEMENT))
def test_agreement_with_scalibr(key: str, scalibr_expected: dict[str, dict[str, object]]) -> None:
    _, where, name, both, reported = AGREEMENT[key]
    expected = scalibr_expected[key]
    assert expected["want_error"] is False
    packages = expected["packages"]
    assert isinstance(packages, list)
    scalibr = {(p["name"].lower(), p["version"]) for p in packages}
    assert scalibr == both | set(reported), "the table above misreads EXPECTED_PACKAGES.json"

    inventory = read_sbom(shared(*where, name))
    ours = {(parse_purl(p.purl or "").name.lower(), p.version) for p in inventory.packages}
    assert ours == both
    for (pkg_name, _), reason in reported.items():
        assert any(pkg_name in e.message.lower() and reason in e.message for e in inventory.errors), (
            pkg_name,
            [e.message for e in inventory.errors],
        )


def test_scalibr_yaml_and_rdf_cases_are_unsupported_formats(
    scalibr_expected: dict[str, dict[str, object]],
) -> None:
    """scalibr reads SPDX YAML and RDF; shiftsec refuses them with a clear SbomError (see NOT_SBOM_FILES)."""
    for key, name in [
        ("sbom/spdx testdata/sbom.spdx.yml#15", "sbom.spdx.yml"),
        ("sbom/spdx testdata/sbom.spdx.rdf#16", "sbom.spdx.rdf"),
    ]:
        assert scalibr_expected[key]["packages"] == [{"name": "openssl", "version": "1.1.1l"}]
        with pytest.raises(SbomError, match="not supported"):
            read_sbom(shared(*SCALIBR_SPDX, name))


# --- robustness: nothing but SbomError, whatever the input --------------------------------------------------


def _real_sbom_fixtures() -> list[Path]:
    paths = [p for p in FIXTURES.iterdir() if p.is_file()]
    for where in (SCALIBR_CDX, SCALIBR_SPDX, (*SCALIBR_SPDX, "dhi"), SCANNER_SBOMS):
        paths.extend(p for p in shared(*where).iterdir() if p.is_file())
    paths.append(shared(*LOCKS_MANY_ALPINE))
    return sorted(paths)


def _read_or_refuse(path: Path) -> SbomInventory | None:
    """Read `path`; an SbomError is fine, any other exception fails the test (and so does a crash caught by
    read_sbom's last-resort handler, which would mean a bug)."""
    try:
        inventory = read_sbom(path)
    except SbomError as exc:
        assert "cannot read SBOM (" not in str(exc), str(exc)
        assert str(exc).startswith(f"{path}: ")
        assert "\n" not in str(exc)
        return None
    assert all(isinstance(e, ScanError) for e in inventory.errors)
    return inventory


def test_truncated_fixtures(tmp_path: Path) -> None:
    rng = random.Random(1234)
    path = tmp_path / "truncated"
    for source in _real_sbom_fixtures():
        data = source.read_bytes()
        samples = 100 if len(data) < 50_000 else 25  # every cut of a big file re-parses up to that point
        cuts = set(range(min(len(data), 200))) | {rng.randrange(len(data) + 1) for _ in range(samples)}
        for cut in sorted(cuts):
            path.write_bytes(data[:cut])
            _read_or_refuse(path)


def test_random_bytes(tmp_path: Path) -> None:
    rng = random.Random(99)
    path = tmp_path / "random"
    prefixes = [
        b"",
        b"{",
        b"<",
        b"SPDXVersion: SPDX-2.3\n",
        b'{"bomFormat": "CycloneDX", "specVersion": "1.5", ',
    ]
    for _ in range(2000):
        path.write_bytes(rng.choice(prefixes) + rng.randbytes(rng.randrange(300)))
        _read_or_refuse(path)


def test_mutated_documents(tmp_path: Path) -> None:
    """Valid JSON with values of the wrong type anywhere: component errors or SbomError, nothing else."""
    rng = random.Random(5)
    odd: list[object] = [None, 0, -1.5, True, "", "x", [], {}, [None], {"a": None}, "pkg:", "pkg:npm/"]

    def mutate(value: object) -> object:
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                roll = rng.random()
                if roll < 0.08:
                    out[k] = rng.choice(odd)
                elif roll > 0.95:
                    continue
                else:
                    out[k] = mutate(v)
            return out
        if isinstance(value, list):
            return [mutate(v) for v in value] + ([rng.choice(odd)] if rng.random() < 0.05 else [])
        return value

    documents = []
    for source in _real_sbom_fixtures():
        text = source.read_bytes()
        if text.lstrip()[:1] == b"{":
            documents.append(json.loads(text))
    path = tmp_path / "mutated.json"
    for _ in range(1500):
        path.write_text(json.dumps(mutate(rng.choice(documents))))
        _read_or_refuse(path)


# --- speed --------------------------------------------------------------------------------------------------


def _big_cyclonedx(count: int) -> dict[str, object]:
    purls = [
        lambda i: f"pkg:npm/%40scope{i % 50}/pkg-{i}@1.{i % 10}.{i % 7}",
        lambda i: f"pkg:pypi/py_pkg.{i}@2.{i % 13}.0",
        lambda i: f"pkg:maven/org.example{i % 40}/artifact-{i}@3.{i % 9}.1?type=jar",
        lambda i: f"pkg:apk/alpine/apk{i}@1.2.{i % 5}-r{i % 3}?arch=x86_64&upstream=up{i}&distro=alpine-3.18.4",
        lambda i: f"pkg:deb/debian/deb{i}@2.{i % 11}-1%2Bdeb12u1?arch=amd64&distro=debian-12&epoch=1",
        lambda i: f"pkg:golang/github.com/Org{i % 30}/mod{i}@v0.{i % 20}.3",
    ]
    components = []
    for i in range(count):
        purl = purls[i % len(purls)](i)
        components.append(
            {
                "bom-ref": purl,
                "type": "library",
                "name": f"name-{i}",
                "version": "ignored",
                "purl": purl,
                "hashes": [{"alg": "SHA-256", "content": "ab" * 32}],
                "licenses": [{"license": {"id": "MIT"}}],
                "properties": [{"name": "syft:location:0:path", "value": f"/usr/lib/{i}"}],
            }
        )
    return {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": components}


def test_5000_components(tmp_path: Path) -> None:
    path = tmp_path / "big.cdx.json"
    path.write_text(json.dumps(_big_cyclonedx(5000), indent=2))
    inventory = read_sbom(path)  # its speed is measured in benchmarks/, never asserted here
    assert len(inventory.packages) == 5000
    assert not inventory.errors


# --- documents shiftsec wrote: the file each package was found in -----------------------------------------


def _occurrence_doc(tools: object) -> dict[str, object]:
    comps: list[dict[str, object]] = [
        {"name": "a", "purl": "pkg:npm/a@1", "evidence": {"occurrences": [{"location": "web/package-lock.json"}]}},
        {"name": "a", "purl": "pkg:npm/a@1", "evidence": {"occurrences": [{"location": "api/package-lock.json"}]}},
        {"name": "a", "purl": "pkg:npm/a@1", "evidence": {"occurrences": [{"location": "web/package-lock.json"}]}},
        {"name": "b", "purl": "pkg:npm/b@2", "scope": "excluded", "evidence": {"occurrences": [{"location": "x"}]}},
        {"name": "c", "purl": "pkg:npm/c@3", "evidence": {"occurrences": []}},
        {"name": "d", "purl": "pkg:npm/d@4", "evidence": {"occurrences": [{"location": ""}]}},
    ]
    return {**_cdx(comps), "metadata": {"tools": tools}}


@pytest.mark.parametrize(
    "tools",
    [
        {"components": [{"type": "application", "name": "shiftsec", "version": "0.1.0"}]},  # CycloneDX 1.5+
        [{"name": "other"}, {"vendor": "x", "name": "shiftsec", "version": "0.1.0"}],  # the legacy list
    ],
)
def test_cyclonedx_occurrence_is_the_location_in_our_documents(tmp_path: Path, tools: object) -> None:
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(_occurrence_doc(tools)))
    inventory = read_sbom(path)
    assert [(p.name, p.location.path if p.location else None, p.dev) for p in inventory.packages] == [
        ("a", "web/package-lock.json", False),
        ("a", "api/package-lock.json", False),  # the same purl in another file is another package
        ("b", "x", True),  # scope excluded: a development dependency
        ("c", str(path), False),  # no occurrence: the SBOM itself
        ("d", str(path), False),
    ]


@pytest.mark.parametrize("tools", [None, {"components": [{"name": "syft"}]}, [{"name": "shiftsecurity"}], "shiftsec"])
def test_cyclonedx_occurrence_is_ignored_in_other_documents(tmp_path: Path, tools: object) -> None:
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(_occurrence_doc(tools)))
    inventory = read_sbom(path)
    assert [p.name for p in inventory.packages] == ["a", "b", "c", "d"]
    assert all(p.location == Location(str(path)) and not p.dev for p in inventory.packages)


def _spdx_doc(creators: list[str]) -> dict[str, object]:
    def package(spdx_id: str, name: str, source_info: str | None) -> dict[str, object]:
        data: dict[str, object] = {"SPDXID": spdx_id, "name": name, "versionInfo": "1", "downloadLocation": "NONE"}
        data["externalRefs"] = [
            {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": f"pkg:npm/{name}@1"}
        ]
        if source_info is not None:
            data["sourceInfo"] = source_info
        return data

    return {
        "spdxVersion": "SPDX-2.3",
        "SPDXID": "SPDXRef-DOCUMENT",
        "creationInfo": {"created": "2024-05-02T08:30:00Z", "creators": creators},
        "packages": [
            {"SPDXID": "SPDXRef-Target", "name": "app", "downloadLocation": "NOASSERTION"},
            package("SPDXRef-a", "a", "package found in: web/package-lock.json"),
            package("SPDXRef-b", "b", "package found in: web/package-lock.json"),
            package("SPDXRef-c", "c", "acquired package info from a manifest"),
            package("SPDXRef-d", "d", None),
        ],
        "relationships": [
            {"spdxElementId": element, "relationshipType": kind, "relatedSpdxElement": "SPDXRef-Target"}
            for element, kind in [("SPDXRef-DOCUMENT", "DESCRIBES"), ("SPDXRef-b", "DEV_DEPENDENCY_OF")]
        ],
    }


def test_spdx_source_info_is_the_location_in_our_documents(tmp_path: Path) -> None:
    path = tmp_path / "bom.spdx.json"
    path.write_text(json.dumps(_spdx_doc(["Organization: Example", "Tool: shiftsec-0.1.0"])))
    inventory = read_sbom(path)
    assert [(p.name, p.location.path if p.location else None, p.dev) for p in inventory.packages] == [
        ("a", "web/package-lock.json", False),
        ("b", "web/package-lock.json", True),
        ("c", str(path), False),  # not our wording: the SBOM itself
        ("d", str(path), False),
    ]
    assert inventory.skipped == 1


def test_spdx_source_info_is_ignored_in_other_documents(tmp_path: Path) -> None:
    path = tmp_path / "bom.spdx.json"
    path.write_text(json.dumps(_spdx_doc(["Tool: trivy-0.50.0"])))
    inventory = read_sbom(path)
    assert all(p.location == Location(str(path)) and not p.dev for p in inventory.packages)


def test_spdx_tag_value_source_info_in_our_documents(tmp_path: Path) -> None:
    path = tmp_path / "bom.spdx"
    path.write_text(
        "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nCreator: Tool: shiftsec-0.1.0\n\n"
        "PackageName: a\nSPDXID: SPDXRef-a\nPackageVersion: 1\n"
        "PackageSourceInfo: package found in: web/package-lock.json\n"
        "ExternalRef: PACKAGE-MANAGER purl pkg:npm/a@1\n\n"
        "PackageName: b\nSPDXID: SPDXRef-b\nPackageVersion: 1\n"
        "PackageSourceInfo: <text>package found in: api/package-lock.json</text>\n"
        "ExternalRef: PACKAGE-MANAGER purl pkg:npm/b@1\n"
    )
    inventory = read_sbom(path)
    assert [(p.name, p.location.path if p.location else None) for p in inventory.packages] == [
        ("a", "web/package-lock.json"),
        ("b", "api/package-lock.json"),
    ]
