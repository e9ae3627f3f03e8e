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


def test_every_form_of_the_image_gives_the_same_findings(tmp_path: Path, db: Path) -> None:
    image = _image()
    reports = {name: scan_image(ref, db, cache_dir=None) for name, ref in _forms(tmp_path, image).items()}
    first = next(iter(reports.values()))
    for name, report in reports.items():
        assert _summary(report) == _summary(first), name
        assert report.errors == first.errors, name


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
