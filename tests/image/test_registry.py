"""Pulling from registries: reference parsing, Docker credentials, and `open_image` against real HTTP servers.

Two servers, both on 127.0.0.1:
- `FakeRegistry`, written here: the distribution endpoints (`/v2/`, manifests, blobs, a token realm, a storage
  host blobs are redirected to) with anonymous, basic and bearer auth, so each auth flow is checked precisely
  (which headers went where);
- Debian's real `docker-registry` (the CNCF distribution registry), started by the test on a free port with a
  temporary filesystem store, the test's image pushed into it with `skopeo copy`. Skipped with a reason where the
  binaries are missing, except on CI (`.ci/run` installs them), where that is a failure.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from shiftsec.errors import InputError
from shiftsec.image.reference import LocalRef, Reference, classify, parse_reference
from shiftsec.image.registry import NO_NETWORK_HINT, Credentials, lookup_credentials, parse_challenge
from shiftsec.image.source import ImageSource, open_image
from tests.image.conftest import skopeo_copy
from tests.image.imagebuild import (
    OCI_INDEX,
    OCI_MANIFEST,
    Image,
    build_image,
    index_of,
    layer,
    sample_image,
    sha256,
    tar_layer,
    write_docker_archive,
    write_oci_layout,
    write_oci_tar,
)

# -- references -----------------------------------------------------------------------------------------------------

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(("text", "registry", "repository", "tag", "digest"), [
    ("alpine", "docker.io", "library/alpine", "latest", None),
    ("alpine:3.14", "docker.io", "library/alpine", "3.14", None),
    ("library/alpine", "docker.io", "library/alpine", "latest", None),
    ("docker.io/alpine", "docker.io", "library/alpine", "latest", None),
    ("index.docker.io/library/alpine:3", "docker.io", "library/alpine", "3", None),
    ("bitnami/redis:7.0", "docker.io", "bitnami/redis", "7.0", None),
    ("ghcr.io/org/team/app:v1.2.3", "ghcr.io", "org/team/app", "v1.2.3", None),
    ("localhost/app", "localhost", "app", "latest", None),
    ("localhost:5000/app:dev", "localhost:5000", "app", "dev", None),
    ("127.0.0.1:5000/a/b", "127.0.0.1:5000", "a/b", "latest", None),
    ("[::1]:5000/app", "[::1]:5000", "app", "latest", None),
    (f"quay.io/x/y@{DIGEST}", "quay.io", "x/y", None, DIGEST),
    (f"quay.io/x/y:1@{DIGEST}", "quay.io", "x/y", "1", DIGEST),
    ("docker://alpine", "docker.io", "library/alpine", "latest", None),
    ("my.registry/a__b/c-d.e_f:Tag_1.0-x", "my.registry", "a__b/c-d.e_f", "Tag_1.0-x", None),
])
def test_reference_parsing(text: str, registry: str, repository: str, tag: str | None, digest: str | None) -> None:
    ref = parse_reference(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repository, tag, digest)


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty image reference"),
    ("Alpine", "invalid repository name"),
    ("alpine:", "invalid tag"),
    ("alpine:-bad", "invalid tag"),
    ("alpine:" + "x" * 129, "invalid tag"),
    ("alpine@sha256:abc", "invalid digest"),
    ("alpine@md5", "invalid digest"),
    ("alpine@sha256:" + "AB" * 32, "invalid sha256 digest"),
    ("host.io/UPPER/x", "invalid repository name"),
    ("host.io/a//b", "invalid repository name"),
    ("host.io/a-/b", "invalid repository name"),
    ("host.io/", "invalid repository name"),
    ("bad_host.io/x", "invalid registry host"),
    ("host.io/" + "a" * 256, "repository name too long"),
])
def test_bad_references(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        parse_reference(text)
    assert "\n" not in str(caught.value)


def test_docker_hub_api_host() -> None:
    assert parse_reference("alpine").api_host == "registry-1.docker.io"
    assert parse_reference("ghcr.io/a/b").api_host == "ghcr.io"
    assert str(parse_reference("alpine")) == "docker.io/library/alpine:latest"


def test_classify_local_or_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "image.tar").write_bytes(b"")
    (tmp_path / "layout").mkdir()
    assert classify("image.tar") == LocalRef(Path("image.tar"))
    assert classify("layout:v1") == LocalRef(Path("layout"), "v1")
    assert classify("alpine:3.14") == Reference("docker.io", "library/alpine", "3.14")
    assert isinstance(classify("docker://image.tar"), Reference)
    with pytest.raises(InputError, match="no such file"):
        classify("./missing.tar")


# -- Docker credentials -----------------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty Docker config directory (never the user's)."""
    directory = tmp_path / "docker-config"
    directory.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(directory))
    return directory / "config.json"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(("config", "host", "expected", "helper"), [
    ({"auths": {"reg.io": {"auth": b64("u:p:w")}}}, "reg.io", Credentials("u", "p:w"), None),
    ({"auths": {"https://reg.io": {"username": "u", "password": "p"}}}, "reg.io", Credentials("u", "p"), None),
    ({"auths": {"https://index.docker.io/v1/": {"auth": b64("hub:pw")}}}, "registry-1.docker.io",
     Credentials("hub", "pw"), None),
    ({"auths": {"other.io": {"auth": b64("u:p")}}}, "reg.io", None, None),
    ({"auths": {"reg.io:5000": {"auth": b64("u:p")}}}, "reg.io", None, None),
    ({"credsStore": "desktop"}, "reg.io", None, "desktop"),
    ({"credHelpers": {"reg.io": "ecr-login"}, "credsStore": "desktop"}, "reg.io", None, "ecr-login"),
    ({}, "reg.io", None, None),
])
def test_docker_config_lookup(config: dict[str, object], host: str, expected: Credentials | None,
                              helper: str | None, docker_config: Path) -> None:
    docker_config.write_text(json.dumps(config))
    lookup = lookup_credentials(host)
    assert (lookup.credentials, lookup.helper) == (expected, helper)


@pytest.mark.parametrize(("text", "message"), [
    ("{", "not valid JSON"),
    ("[]", "not a JSON object"),
    ('{"auths": {"reg.io": {"auth": "%%%"}}}', "not base64"),
    ('{"auths": {"reg.io": {"auth": "' + b64("nocolon") + '"}}}', "not base64 of user:password"),
])
def test_broken_docker_config(text: str, message: str, docker_config: Path) -> None:
    docker_config.write_text(text)
    with pytest.raises(InputError, match=message):
        lookup_credentials("reg.io")


def test_missing_docker_config_is_anonymous() -> None:
    assert lookup_credentials("reg.io").credentials is None


@pytest.mark.parametrize(("header", "scheme", "params"), [
    ('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/a:pull"',
     "bearer", {"realm": "https://auth.docker.io/token", "service": "registry.docker.io",
                "scope": "repository:library/a:pull"}),
    ('Basic realm="Registry Realm"', "basic", {"realm": "Registry Realm"}),
    ("bearer realm=https://x/t, service=s", "bearer", {"realm": "https://x/t", "service": "s"}),
])
def test_parse_challenge(header: str, scheme: str, params: dict[str, str]) -> None:
    challenge = parse_challenge(header)
    assert challenge is not None and (challenge.scheme, dict(challenge.params)) == (scheme, params)


# -- a registry written here ------------------------------------------------------------------------------------------

USER, PASSWORD = "alice", "s3cret"
SERVICE = "fake-registry"


@dataclass
class FakeRegistry:
    """State of the test registry; `auth` is anonymous, basic or bearer."""

    auth: str = "anonymous"
    token_needs_credentials: bool = True
    redirect_blobs: bool = False
    manifests: dict[tuple[str, str], tuple[bytes, str]] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)
    served: dict[str, bytes] = field(default_factory=dict)  # digest → other bytes to send (tampering)
    bad_content_digest: bool = False
    tokens: set[str] = field(default_factory=set)
    log: list[tuple[str, str]] = field(default_factory=list)  # (path, Authorization header)
    tls_handshakes: int = 0
    port: int = 0

    def push(self, repo: str, tag: str, images: Image | list[Image]) -> str:
        many = images if isinstance(images, list) else [images]
        for image in many:
            self.blobs.update(image.blobs())
            self.manifests[(repo, image.manifest_digest)] = (image.manifest, OCI_MANIFEST)
        if isinstance(images, list):
            body, media_type = index_of(many), OCI_INDEX
        else:
            body, media_type = images.manifest, OCI_MANIFEST
        self.manifests[(repo, tag)] = (body, media_type)
        self.manifests[(repo, sha256(body))] = (body, media_type)
        return sha256(body)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"


def handler_for(state: FakeRegistry, *, tls: bool = False) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def handle(self) -> None:
            # a TLS handshake on the plain-http server: answer in HTTP at once (the client sees a protocol error)
            if not tls and self.request.recv(1, socket.MSG_PEEK) == b"\x16":
                self.request.sendall(b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                state.tls_handshakes += 1
                return
            super().handle()

        def send(self, code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(code)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def error(self, code: int, error_code: str, message: str, headers: dict[str, str] | None = None) -> None:
            body = json.dumps({"errors": [{"code": error_code, "message": message}]}).encode()
            self.send(code, body, {"Content-Type": "application/json", **(headers or {})})

        def authorized(self, repo: str | None) -> bool:
            header = self.headers.get("Authorization", "")
            if state.auth == "anonymous":
                return True
            if state.auth == "basic":
                if header == f"Basic {b64(f'{USER}:{PASSWORD}')}":
                    return True
                self.error(401, "UNAUTHORIZED", "authentication required", {"WWW-Authenticate": 'Basic realm="fake"'})
                return False
            if header.startswith("Bearer ") and header[7:] in state.tokens:
                return True
            challenge = f'Bearer realm="http://{state.host}/token",service="{SERVICE}"'
            if repo:
                challenge += f',scope="repository:{repo}:pull"'
            self.error(401, "UNAUTHORIZED", "authentication required", {"WWW-Authenticate": challenge})
            return False

        def do_GET(self) -> None:
            state.log.append((self.path, self.headers.get("Authorization", "")))
            url = urllib.parse.urlsplit(self.path)
            parts = url.path.split("/")
            if url.path == "/token":
                self.token(urllib.parse.parse_qs(url.query))
            elif url.path == "/v2/":
                if self.authorized(None):
                    self.send(200, b"{}", {"Content-Type": "application/json"})
            elif url.path.startswith("/storage/"):
                if self.headers.get("Authorization"):
                    self.error(400, "INVALID", "a signed URL takes no Authorization header")
                else:
                    self.blob(parts[-1])
            elif len(parts) >= 5 and parts[1] == "v2" and parts[-2] in {"manifests", "blobs"}:
                repo = "/".join(parts[2:-2])
                if not self.authorized(repo):
                    return
                if parts[-2] == "manifests":
                    self.manifest(repo, parts[-1])
                elif state.redirect_blobs:
                    self.send(307, b"", {"Location": f"http://{state.host}/storage/{parts[-1]}?sig=x"})
                else:
                    self.blob(parts[-1])
            else:
                self.error(404, "NOT_FOUND", "no such endpoint")

        def token(self, query: dict[str, list[str]]) -> None:
            header = self.headers.get("Authorization", "")
            if query.get("service") != [SERVICE] or not query.get("scope", [""])[0].endswith(":pull"):
                self.error(400, "INVALID", "bad token request")
                return
            if state.token_needs_credentials and header != f"Basic {b64(f'{USER}:{PASSWORD}')}":
                self.error(401, "UNAUTHORIZED", "bad credentials")
                return
            token = f"token-{len(state.tokens)}"
            state.tokens.add(token)
            self.send(200, json.dumps({"access_token": token, "expires_in": 300}).encode(),
                      {"Content-Type": "application/json"})

        def manifest(self, repo: str, reference: str) -> None:
            found = state.manifests.get((repo, reference))
            if found is None:
                self.error(404, "MANIFEST_UNKNOWN", "manifest unknown")
                return
            body, media_type = found
            accepted = self.headers.get("Accept", "")
            assert media_type in accepted, accepted
            digest = sha256(b"x") if state.bad_content_digest else sha256(body)
            self.send(200, body, {"Content-Type": media_type, "Docker-Content-Digest": digest})

        def blob(self, digest: str) -> None:
            data = state.served.get(digest, state.blobs.get(digest))
            if data is None:
                self.error(404, "BLOB_UNKNOWN", "blob unknown")
            else:
                self.send(200, data, {"Content-Type": "application/octet-stream"})

    return Handler


@pytest.fixture
def fake() -> Iterator[FakeRegistry]:
    state = FakeRegistry()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def tls_fake(tmp_path: Path) -> Iterator[tuple[FakeRegistry, Path]]:
    """The same registry over TLS, with a self-signed certificate for 127.0.0.1 made by openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        if os.environ.get("CI"):
            pytest.fail("no openssl on CI")
        pytest.skip("no openssl to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=60)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    state = FakeRegistry()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state, tls=True))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state, cert
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_https_registry(tls_fake: tuple[FakeRegistry, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    fake, cert = tls_fake
    image = sample_image()
    fake.push("app", "v1", image)
    with pytest.raises(InputError, match=r"TLS certificate of 127\.0\.0\.1:[0-9]+ not trusted") as caught:
        open_image(f"{fake.host}/app:v1")
    assert "--insecure" in (caught.value.hint or "")
    with open_image(f"{fake.host}/app:v1", insecure=True) as source:  # plain http refused, https unverified
        same_image(source, image)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # now the certificate is trusted: verified https
    with open_image(f"{fake.host}/app:v1") as source:
        same_image(source, image)


def all_layers(source: ImageSource) -> list[bytes]:
    out = []
    for ref in source.meta.layers:
        with source.open_layer(ref) as stream:
            out.append(stream.read())
    return out


def same_image(source: ImageSource, image: Image) -> None:
    assert source.meta.config_digest == image.config_digest
    assert [x.diff_id for x in source.meta.layers] == image.diff_ids
    assert [x.created_by for x in source.meta.layers] == [x.created_by for x in image.layers]
    assert [x.digest for x in source.meta.layers] == [x.digest for x in image.layers]
    assert all_layers(source) == [x.tar for x in image.layers]


def test_anonymous_pull_by_tag_and_digest(fake: FakeRegistry, tmp_path: Path) -> None:
    image = sample_image()
    digest = fake.push("team/app", "1.0", image)
    with open_image(f"{fake.host}/team/app:1.0", insecure=True) as source:
        same_image(source, image)
        assert source.meta.manifest_digest == digest
        assert source.meta.platform == "linux/arm/v7"
        assert source.meta.reference == f"{fake.host}/team/app:1.0"
    with open_image(f"{fake.host}/team/app@{digest}", insecure=True) as source:
        same_image(source, image)
    with open_image(str(write_oci_layout(tmp_path / "l", image))) as local, \
            open_image(f"{fake.host}/team/app:1.0", insecure=True) as remote:
        assert local.meta.layers == remote.meta.layers
        assert local.meta.config == remote.meta.config
    assert all(auth == "" for _, auth in fake.log)


def test_basic_auth_from_docker_config(fake: FakeRegistry, docker_config: Path) -> None:
    image = sample_image()
    fake.push("app", "v1", image)
    fake.auth = "basic"
    with pytest.raises(InputError, match="refused access") as caught:
        open_image(f"{fake.host}/app:v1", insecure=True)
    assert "auths" in (caught.value.hint or "")
    docker_config.write_text(json.dumps({"auths": {fake.host: {"auth": b64(f"{USER}:{PASSWORD}")}}}))
    with open_image(f"{fake.host}/app:v1", insecure=True) as source:
        same_image(source, image)
    docker_config.write_text(json.dumps({"auths": {f"http://{fake.host}": {"username": USER, "password": "no"}}}))
    with pytest.raises(InputError, match="refused access") as caught:
        open_image(f"{fake.host}/app:v1", insecure=True)
    assert "check the credentials" in (caught.value.hint or "")


def test_bearer_token_flow_with_credentials(fake: FakeRegistry, docker_config: Path) -> None:
    image = sample_image()
    fake.push("org/app", "v1", image)
    fake.auth = "bearer"
    docker_config.write_text(json.dumps({"auths": {fake.host: {"auth": b64(f"{USER}:{PASSWORD}")}}}))
    with open_image(f"{fake.host}/org/app:v1", insecure=True) as source:
        same_image(source, image)
    token_requests = [(p, a) for p, a in fake.log if p.startswith("/token")]
    assert token_requests, fake.log
    path, auth = token_requests[0]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    assert query["service"] == [SERVICE] and query["scope"] == ["repository:org/app:pull"]
    assert auth == f"Basic {b64(f'{USER}:{PASSWORD}')}"
    registry_calls = [(p, a) for p, a in fake.log if p.startswith("/v2/org/")]
    assert registry_calls and all(a.startswith("Bearer token-") for _, a in registry_calls)


def test_bearer_anonymous_token(fake: FakeRegistry) -> None:
    image = sample_image()
    fake.push("app", "v1", image)
    fake.auth, fake.token_needs_credentials = "bearer", False
    with open_image(f"{fake.host}/app:v1", insecure=True) as source:
        same_image(source, image)
    assert all(a == "" for p, a in fake.log if p.startswith("/token"))


def test_bearer_refused_names_the_credential_helper(fake: FakeRegistry, docker_config: Path) -> None:
    fake.push("app", "v1", sample_image())
    fake.auth = "bearer"
    docker_config.write_text(json.dumps({"credsStore": "desktop"}))
    with pytest.raises(InputError, match=r"token service .* refused an anonymous token") as caught:
        open_image(f"{fake.host}/app:v1", insecure=True)
    assert "credential helper 'desktop'" in (caught.value.hint or "")


def test_redirected_blobs_do_not_carry_the_token(fake: FakeRegistry, docker_config: Path) -> None:
    image = sample_image()
    fake.push("app", "v1", image)
    fake.auth, fake.redirect_blobs = "bearer", True
    docker_config.write_text(json.dumps({"auths": {fake.host: {"auth": b64(f"{USER}:{PASSWORD}")}}}))
    with open_image(f"{fake.host}/app:v1", insecure=True) as source:
        same_image(source, image)
    storage = [a for p, a in fake.log if p.startswith("/storage/")]
    assert len(storage) == 4 and set(storage) == {""}  # the config and three layers


def test_multi_platform_index(fake: FakeRegistry) -> None:
    images = [build_image([layer(tar_layer({"arch": p.encode()}))], platform=p)
              for p in ("linux/amd64", "linux/arm64/v8")]
    fake.push("multi", "v1", images)
    with open_image(f"{fake.host}/multi:v1", insecure=True) as source:
        assert source.meta.platform == "linux/amd64"
        same_image(source, images[0])
    with open_image(f"{fake.host}/multi:v1", insecure=True, platform="linux/arm64") as source:
        assert source.meta.manifest_digest == images[1].manifest_digest
        same_image(source, images[1])
    with pytest.raises(InputError, match=r"no image for platform linux/ppc64le \(available: linux/amd64, "
                                         r"linux/arm64/v8\)"):
        open_image(f"{fake.host}/multi:v1", insecure=True, platform="linux/ppc64le")


def test_tampered_layer_fails_its_digest(fake: FakeRegistry) -> None:
    image = sample_image()
    fake.push("app", "v1", image)
    plain = image.layers[2]
    fake.served[plain.digest] = plain.blob.replace(b"notes", b"NOTES")
    with open_image(f"{fake.host}/app:v1", insecure=True) as source, \
            pytest.raises(InputError, match="digest mismatch"), source.open_layer(source.meta.layers[2]) as stream:
        stream.read()


def test_tampered_config_and_manifest(fake: FakeRegistry) -> None:
    image = sample_image()
    fake.push("app", "v1", image)
    fake.served[image.config_digest] = image.config.replace(b"arm", b"ARM")
    with pytest.raises(InputError, match=r"config sha256:.*digest mismatch"):
        open_image(f"{fake.host}/app:v1", insecure=True)
    fake.served.clear()
    fake.bad_content_digest = True
    with pytest.raises(InputError, match="manifest app:v1: digest mismatch"):
        open_image(f"{fake.host}/app:v1", insecure=True)


@pytest.mark.parametrize(("reference", "message"), [
    ("nope:v1", "manifest nope:v1 not found on 127.0.0.1:[0-9]+ \\(HTTP 404: MANIFEST_UNKNOWN: manifest unknown\\)"),
    (f"app@{DIGEST}", "manifest app@sha256:abab.* not found"),
])
def test_unknown_images(reference: str, message: str, fake: FakeRegistry) -> None:
    fake.push("app", "v1", sample_image())
    with pytest.raises(InputError, match=message):
        open_image(f"{fake.host}/{reference}", insecure=True)


def test_plain_http_needs_insecure(fake: FakeRegistry) -> None:
    fake.push("app", "v1", sample_image())
    with pytest.raises(InputError, match="does not speak TLS") as caught:
        open_image(f"{fake.host}/app:v1")
    assert "--insecure" in (caught.value.hint or "")
    assert fake.log == [] and fake.tls_handshakes == 1  # nothing was sent in clear text


def test_unreachable_registry_gives_the_offline_hint() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(InputError, match=f"cannot reach registry 127.0.0.1:{port}") as caught:
        open_image(f"127.0.0.1:{port}/app:v1", insecure=True, timeout=5)
    assert caught.value.hint == NO_NETWORK_HINT
    assert "\n" not in str(caught.value)


# -- Debian's docker-registry, fed by skopeo (fixtures in conftest.py) ----------------------------------------------

def test_real_registry_gives_the_same_image(real_registry: str, tmp_path: Path) -> None:
    image = sample_image()
    layout = write_oci_layout(tmp_path / "layout", image, tag="3.14")
    skopeo_copy(layout, "3.14", f"{real_registry}/shiftsec/sample:3.14")
    with open_image(f"{real_registry}/shiftsec/sample:3.14", insecure=True) as remote:
        expected = (remote.meta.config_digest, [(x.diff_id, x.created_by) for x in remote.meta.layers],
                    remote.meta.platform, all_layers(remote))
        digest = remote.meta.manifest_digest
    assert expected == (image.config_digest, [(x.diff_id, x.created_by) for x in image.layers], "linux/arm/v7",
                        [x.tar for x in image.layers])
    for local in (layout, write_oci_tar(tmp_path / "layout.tar", image, tag="3.14"),
                  write_docker_archive(tmp_path / "classic.tar", image),
                  write_docker_archive(tmp_path / "blobs.tar", image, layout="blobs")):
        with open_image(str(local)) as source:
            assert (source.meta.config_digest, [(x.diff_id, x.created_by) for x in source.meta.layers],
                    source.meta.platform, all_layers(source)) == expected, local
    with open_image(f"{real_registry}/shiftsec/sample@{digest}", insecure=True) as pinned:
        assert pinned.meta.config_digest == image.config_digest
    with pytest.raises(InputError, match="does not speak TLS"):
        open_image(f"{real_registry}/shiftsec/sample:3.14")
    with pytest.raises(InputError, match="not found"):
        open_image(f"{real_registry}/shiftsec/sample:nope", insecure=True)


def test_real_registry_multi_platform(real_registry: str, tmp_path: Path) -> None:
    images = [build_image([layer(tar_layer({"arch": p.encode()}), compression=c)], platform=p)
              for p, c in (("linux/amd64", "gzip"), ("linux/arm64/v8", "zstd"))]
    layout = write_oci_layout(tmp_path / "layout", images, tag="multi")
    skopeo_copy(layout, "multi", f"{real_registry}/shiftsec/multi:1", all_images=True)
    for platform, image in (("linux/amd64", images[0]), ("linux/arm64/v8", images[1])):
        with open_image(f"{real_registry}/shiftsec/multi:1", insecure=True, platform=platform) as source:
            assert source.meta.platform == platform
            assert source.meta.config_digest == image.config_digest
            assert all_layers(source) == [x.tar for x in image.layers]
