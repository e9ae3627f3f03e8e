"""`shiftsec image`: the same image from a docker-archive, an OCI layout folder, an OCI tar and a registry gives
the same findings; OS and language packages, secrets and config findings each name their layer; whiteouts hide
what later layers deleted; the per-layer cache walks only the layers it has not seen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shiftsec.cli import run
from shiftsec.engine import scan_image
from shiftsec.image.scan import scan_layers
from shiftsec.model import FindingType, Report
from tests.conftest import shared
from tests.image import imagebuild as ib
from tests.image.conftest import skopeo_copy

# Alpine 3.11's secdb lists openssl 1.1.1d-r2 as fixed in 1.1.1d-r3 for CVE-2019-1551 (the real data).
APK_DB = b"""\
C:Q1sb7UDpc08G0Mdfra2fCfFbJ9OyE=
P:libcrypto1.1
V:1.1.1d-r2
A:x86_64
S:1234
I:2800000
T:Crypto library from openssl
U:https://www.openssl.org/
L:OpenSSL
o:openssl
t:1576000000

C:Q1GjaknLbqPcqBxc0sV7ao3Xnom8o=
P:musl
V:1.1.24-r2
A:x86_64
S:384000
I:600000
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
t:1576000000

"""
OS_RELEASE = b'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.11.3\nPRETTY_NAME="Alpine Linux v3.11"\n'
KEY = "AKIA" + "QWERTYUIOPASDFGH"[::-1].replace("O", "2")  # 20 characters, the AWS key id shape
TOKEN = "ghp_" + "N7cQ2xVb8LmK4pR9sT1wY6zH3jF5dG0aE2uI"  # a GitHub token shape (36 characters after ghp_)


def _image(top: bytes = b"print('v1')\n") -> ib.Image:
    base = ib.layer(ib.tar_layer({"etc/os-release": OS_RELEASE, "etc/alpine-release": b"3.11.3\n",
                                  "lib/apk/db/installed": APK_DB}),
                    compression="gzip", created_by="/bin/sh -c #(nop) ADD file:0123abcd in / ")
    app = ib.layer(ib.tar_layer({
        "app/requirements.txt": b"requests==2.19.0\n",
        "app/settings.py": f'AWS_ACCESS_KEY_ID = "{KEY}"\n'.encode(),
        "app/old.env": f"GITHUB_TOKEN={TOKEN}\n".encode(),
        "usr/local/lib/python3.11/site-packages/urllib3-1.24.1.dist-info/METADATA":
            b"Metadata-Version: 2.1\nName: urllib3\nVersion: 1.24.1\n",
        "app/node_modules/left-pad/package.json": b'{"name": "left-pad", "version": "1.3.0"}',
    }), compression="zstd", created_by="COPY app /app # buildkit")
    run_step = ib.layer(ib.tar_layer([ib.Entry("app/.wh.old.env"), ib.Entry("app/main.py", top)]),
                        compression="none",
                        created_by="RUN /bin/sh -c curl -fsSL https://get.example.com/install.sh | sh # buildkit")
    return ib.build_image([base, app, run_step], env=[f"DEPLOY_TOKEN={TOKEN}"])


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from shiftsec.vulndb.importing import import_paths
    from shiftsec.vulndb.store import Store

    path = tmp_path_factory.mktemp("image-db") / "db.sqlite"
    with Store.open(path, create=True) as store:
        import_paths(store, [shared("advisories", "alpine-secdb", "v3.11"),
                             shared("advisories", "pypa", "vulns", "requests")])
    return path


def _forms(tmp_path: Path, image: ib.Image) -> dict[str, str]:
    return {
        "docker-archive": str(ib.write_docker_archive(tmp_path / "docker.tar", image)),
        "docker-archive (blobs)": str(ib.write_docker_archive(tmp_path / "docker-blobs.tar", image,
                                                              layout="blobs")),
        "oci folder": str(ib.write_oci_layout(tmp_path / "oci", image)),
        "oci tar": str(ib.write_oci_tar(tmp_path / "oci.tar", image)),
    }


def _summary(report: Report) -> list[tuple[str, str, str, int | None, str | None]]:
    return sorted((f.type.value, f.rule_id, f.location.path if f.location else "",
                   f.location.line if f.location else None,
                   f.location.layer.diff_id if f.location and f.location.layer else None) for f in report.findings)


def _inventory(report: Report) -> list[tuple[str, str, str, str | None, str, str | None]]:
    return sorted((p.ecosystem, p.name, p.version, p.purl, p.location.path if p.location else "",
                   p.location.layer.diff_id if p.location and p.location.layer else None) for p in report.packages)


def test_every_form_of_the_image_gives_the_same_findings(tmp_path: Path, db: Path, real_registry: str) -> None:
    image = _image()
    forms = _forms(tmp_path, image)
    skopeo_copy(Path(forms["oci folder"]), "latest", f"{real_registry}/shiftsec/app:1")
    forms["registry"] = f"{real_registry}/shiftsec/app:1"
    reports = {name: scan_image(ref, db, cache_dir=None, insecure=name == "registry")
               for name, ref in forms.items()}
    first = next(iter(reports.values()))
    assert len(first.findings) >= 8
    for name, report in reports.items():
        assert _summary(report) == _summary(first), name
        assert report.errors == first.errors, name
        # (a layer's blob digest depends on how the form stores it: docker save keeps layers uncompressed)
        assert _inventory(report) == _inventory(first), name


def test_what_an_image_holds(tmp_path: Path, db: Path) -> None:
    image = _image()
    report = scan_image(str(ib.write_oci_layout(tmp_path / "oci", image)), db, cache_dir=None)
    base, app, run_step = (layer.diff_id for layer in image.layers)
    packages = {(p.ecosystem, p.name, p.version, p.location.path if p.location else "",
                 p.location.layer.diff_id if p.location and p.location.layer else None) for p in report.packages}
    assert packages == {
        ("Alpine:v3.11", "openssl", "1.1.1d-r2", "lib/apk/db/installed", base),
        ("Alpine:v3.11", "musl", "1.1.24-r2", "lib/apk/db/installed", base),
        ("PyPI", "requests", "2.19.0", "app/requirements.txt", app),  # a lockfile in the image
        ("PyPI", "urllib3", "1.24.1", "usr/local/lib/python3.11/site-packages/urllib3-1.24.1.dist-info/METADATA",
         app),  # installed packages
        ("npm", "left-pad", "1.3.0", "app/node_modules/left-pad/package.json", app),
    }
    by_rule = {(f.type, f.rule_id): f for f in report.findings}
    # the OS package, matched with the distribution's own fixed version
    openssl = by_rule[FindingType.VULNERABILITY, "CVE-2019-1551"]
    assert openssl.package is not None and openssl.fixed_in == "1.1.1d-r3"
    assert openssl.location is not None and openssl.location.layer is not None
    assert openssl.location.layer.created_by == "/bin/sh -c #(nop) ADD file:0123abcd in / "
    # the language package from the app layer
    assert any(f.package is not None and f.package.name == "requests" for f in report.findings)
    # the secret in a file the image still holds, in the layer that added it
    secrets = [f for f in report.findings if f.type is FindingType.SECRET]
    files = {(f.location.path, f.location.layer.diff_id if f.location.layer else None) for f in secrets
             if f.location}
    assert ("app/settings.py", app) in files
    # the file a later layer deleted is not in the image: its token is not reported from it
    assert all(path != "app/old.env" for path, _ in files)
    # the token in the config's ENV is
    assert ("(image config)", None) in files
    # config checks over the recorded history: curl | sh in step 4 (step 1 is an empty ENV step), root user
    curl = by_rule[FindingType.MISCONFIG, "dockerfile-curl-pipe-shell"]
    assert curl.location is not None and curl.location.line == 4
    assert curl.location.layer is not None and curl.location.layer.diff_id == run_step
    assert (FindingType.MISCONFIG, "dockerfile-root-user") in by_rule
    text = json.dumps([f.message for f in report.findings] + [f.evidence for f in report.findings])
    assert TOKEN not in text and KEY not in text


def test_the_cache_walks_only_new_layers(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = scan_layers(str(ib.write_oci_layout(tmp_path / "v1", _image())), cache_dir=cache)
    assert first.layers_walked == 3
    again = scan_layers(str(ib.write_oci_layout(tmp_path / "v1b", _image())), cache_dir=cache)
    assert again.layers_walked == 0
    changed = scan_layers(str(ib.write_oci_layout(tmp_path / "v2", _image(b"print('v2')\n"))), cache_dir=cache)
    assert changed.layers_walked == 1
    assert sorted(map(str, changed.packages)) == sorted(map(str, first.packages))
    assert [f.fingerprint for f in changed.findings] == [f.fingerprint for f in first.findings]
    # a damaged cache file is a miss, never an error
    for path in (cache / "layers").iterdir():
        path.write_text("{not json")
    assert scan_layers(str(ib.write_oci_layout(tmp_path / "v3", _image())), cache_dir=cache).layers_walked == 3


def test_the_command(tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = ib.write_docker_archive(tmp_path / "app.tar", _image())
    assert run(["image", str(archive), "--db", str(db), "-f", "json", "--fail-on", "critical"]) in (0, 1)
    report = json.loads(capsys.readouterr().out)
    assert report["target"] == {"path": str(archive), "type": "image"}
    assert report["scanners"] == ["vuln", "secret", "misconfig"]
    layered = [f for f in report["findings"] if f["location"] and f["location"]["layer"]]
    assert layered and all(f["location"]["layer"]["diff_id"].startswith("sha256:") for f in layered)
    assert run(["image", str(tmp_path / "missing.tar"), "--db", str(db)]) == 2
    assert run(["image", str(archive), "--db", str(db), "--scanners", "bogus"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err


DSA_FIXED = {  # hand-written in the shape of Debian's OSV records (the shared data holds none)
    "id": "DLA-9999-1", "modified": "2024-01-01T00:00:00Z", "published": "2024-01-01T00:00:00Z",
    "aliases": ["CVE-2099-0001"], "summary": "pam: test advisory fixed in a later Debian 9 upload",
    "affected": [{"package": {"ecosystem": "Debian:9", "name": "pam"},
                  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.1.8-3.6+deb9u1"}]}]}],
}
DSA_BACKPORTED = {  # already fixed by the installed Debian revision: must not be reported
    "id": "DLA-9998-1", "modified": "2024-01-01T00:00:00Z", "published": "2024-01-01T00:00:00Z",
    "aliases": ["CVE-2099-0002"], "summary": "pam: test advisory whose Debian fix is installed",
    "affected": [{"package": {"ecosystem": "Debian:9", "name": "pam"},
                  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.1.8-3.6"}]}]}],
}
PACKAGE_LOCK = b"""{"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": {
  "": {"name": "app", "version": "1.0.0", "dependencies": {"minimist": "1.2.5"}},
  "node_modules/minimist": {"version": "1.2.5", "resolved": "https://registry.npmjs.org/minimist/-/minimist-1.2.5.tgz"}
}}"""


def test_a_debian_image_with_python_and_node_inside(tmp_path: Path) -> None:
    from shiftsec.vulndb.importing import import_paths
    from shiftsec.vulndb.store import Store

    records = tmp_path / "records"
    records.mkdir()
    for record in (DSA_FIXED, DSA_BACKPORTED):
        (records / f"{record['id']}.json").write_text(json.dumps(record))
    db = tmp_path / "db.sqlite"
    with Store.open(db, create=True) as store:
        import_paths(store, [records])
    status = shared("os-pkgdb", "syft", "syft", "pkg", "cataloger", "debian", "testdata", "image-dpkg", "var", "lib",
                    "dpkg", "status").read_bytes()  # syft's real dpkg status: libpam-runtime, source pam
    base = ib.layer(ib.tar_layer({
        "etc/os-release": b'PRETTY_NAME="Debian GNU/Linux 9 (stretch)"\nID=debian\nVERSION_ID="9"\n'
                          b'VERSION_CODENAME=stretch\n',
        "etc/debian_version": b"9.13\n",
        "var/lib/dpkg/status": status,
    }), created_by="/bin/sh -c #(nop) ADD file:debian-rootfs in / ")
    app = ib.layer(ib.tar_layer({
        "usr/local/lib/python3.5/site-packages/requests-2.19.0.dist-info/METADATA":
            b"Metadata-Version: 2.1\nName: requests\nVersion: 2.19.0\n",
        "app/package-lock.json": PACKAGE_LOCK,
    }), created_by="COPY . /app # buildkit")
    image = ib.build_image([base, app], user="1000")
    report = scan_image(str(ib.write_docker_archive(tmp_path / "debian.tar", image)), db, cache_dir=None)
    packages = {(p.ecosystem, p.name, p.version) for p in report.packages}
    assert packages == {("Debian:9", "pam", "1.1.8-3.6"), ("PyPI", "requests", "2.19.0"), ("npm", "minimist", "1.2.5")}
    [pam] = [p for p in report.packages if p.name == "pam"]
    assert pam.purl is not None and pam.purl.startswith("pkg:deb/debian/libpam-runtime@1.1.8-3.6")
    vulns = {f.rule_id for f in report.findings if f.type is FindingType.VULNERABILITY}
    assert vulns == {"CVE-2099-0001"}  # the advisory fixed in the installed revision is not reported


def test_the_real_alpine_rootfs_and_its_sbom(tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The shared Alpine 3.14 minirootfs (armv7) as an image: every installed apk package, by origin, in the
    layer that added it; `--format cyclonedx` is the image's SBOM (a container component)."""
    image = ib.sample_image()
    layout = ib.write_oci_layout(tmp_path / "alpine", image)
    installed = (ib.ALPINE_ROOTFS / "lib/apk/db/installed").read_text().split("\n\n")
    binaries = {line[2:] for block in installed for line in block.splitlines() if line.startswith("P:")}
    report = scan_image(str(layout), db, cache_dir=None, platform="linux/arm/v7")
    apk = [p for p in report.packages if p.ecosystem.startswith("Alpine")]
    assert len(apk) == len(binaries) == 26  # grep -c "^P:" of the installed database
    from urllib.parse import unquote

    assert {unquote(p.purl.split("@")[0].removeprefix("pkg:apk/alpine/")) for p in apk if p.purl} == binaries
    assert {p.ecosystem for p in apk} == {"Alpine:v3.14"}
    assert {p.location.layer.created_by for p in apk if p.location and p.location.layer} == {
        "ADD alpine-minirootfs-3.14 /"}
    assert run(["image", str(layout), "--db", str(db), "-f", "cyclonedx", "--platform", "linux/arm/v7"]) == 0
    sbom = json.loads(capsys.readouterr().out)
    assert sbom["metadata"]["component"]["type"] == "container"
    assert len([c for c in sbom["components"] if c["purl"].startswith("pkg:apk/")]) == 26


def test_a_refused_entry_is_reported_and_the_scan_goes_on(tmp_path: Path, db: Path) -> None:
    evil = ib.layer(ib.tar_layer([ib.Entry("../../etc/cron.d/evil", b"* * * * * root sh\n"),
                                  ib.Entry("dev/sda", kind="block"),
                                  ib.Entry("app/requirements.txt", b"requests==2.19.0\n")]),
                    created_by="COPY evil /")
    report = scan_image(str(ib.write_oci_layout(tmp_path / "evil", ib.build_image([evil]))), db, cache_dir=None)
    refused = {(e.message, e.kind) for e in report.errors}
    assert ("path escapes the image root", "refused") in refused
    assert ("device file (block device)", "refused") in refused
    assert [(p.name, p.version) for p in report.packages] == [("requests", "2.19.0")]
    assert not (tmp_path / "etc").exists()
