"""Talking to an image registry: the OCI Distribution API (pull side), its authentication, and Docker credentials.

Owns the HTTP: `RegistryClient(reference)` pings `/v2/`, fetches manifests (`GET /v2/<name>/manifests/<ref>`
with the OCI and Docker v2 manifest and list media types in `Accept`) and blobs (`GET /v2/<name>/blobs/<digest>`,
redirects followed; the `Authorization` header is never carried to the redirect target). It does not interpret
manifests (that is `image.manifest`) and does not verify layer digests while streaming (that is
`image.source`, which wraps the stream); small documents (manifests, configs) are verified here.

Authentication, as Docker does it:
- anonymous first; a `401` carries `WWW-Authenticate`;
- `Basic realm=…`: the credentials of the registry from the Docker config are sent;
- `Bearer realm=…,service=…,scope=…`: the realm is asked for a token (`GET realm?service=…&scope=…`, with the
  credentials as basic auth when there are any), its `token` (or `access_token`) is sent as `Bearer`, the
  request retried once.
Credentials come from `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, `auths` entries (`auth` =
base64 `user:password`, or `username`/`password`). Credential helpers (`credsStore`, `credHelpers`) are not
run; when a registry refuses us and a helper was configured for it, the error says so.

Transport: https with certificate verification. `insecure=True` allows plain http (only then): `/v2/` is tried
over http first and used when a registry answers there (200 or 401), else https without certificate
verification; without it an http-only registry fails with a hint to use `--insecure`. Every request has a
timeout. Network failures are `InputError`s with one line and the offline hint. Standard library only (urllib).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import http.client
import json
import os
import re
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from shiftsec import __version__
from shiftsec.errors import InputError
from shiftsec.image.reference import DOCKER_HUB, Reference

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST_V1 = "application/vnd.docker.distribution.manifest.v1+prettyjws"
MANIFEST_TYPES = (OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST)
NO_NETWORK_HINT = "no network: use a docker save tarball or an OCI layout"
DEFAULT_TIMEOUT = 30.0
MAX_DOCUMENT = 8 << 20  # manifests, indexes, configs and token responses are small; refuse anything bigger
_HUB_HOSTS = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
_PARAM_RE = re.compile(r'([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))')


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str

    def basic(self) -> str:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"


@dataclass(frozen=True)
class CredentialLookup:
    """What the Docker config says about one registry: credentials, and the helper it would have asked, if any."""

    credentials: Credentials | None
    helper: str | None = None
    config_path: Path | None = None


@dataclass(frozen=True)
class Challenge:
    scheme: str  # lower case: "bearer" or "basic"
    params: Mapping[str, str]


def docker_config_path() -> Path:
    """`$DOCKER_CONFIG/config.json` when `DOCKER_CONFIG` is set, else `~/.docker/config.json`."""
    base = os.environ.get("DOCKER_CONFIG")
    return Path(base) / "config.json" if base else Path.home() / ".docker" / "config.json"


def _host_of_key(key: str) -> str:
    key = key.strip()
    if "://" in key:
        key = urllib.parse.urlsplit(key).netloc
    return key.split("/", 1)[0].lower()


def _same_registry(key: str, host: str) -> bool:
    candidate, host = _host_of_key(key), host.lower()
    if candidate == host:
        return True
    return candidate in _HUB_HOSTS and host in _HUB_HOSTS


def lookup_credentials(host: str, config: Path | None = None) -> CredentialLookup:
    """Credentials for `host` (`registry[:port]`) from the Docker config; none when the file does not exist."""
    path = config or docker_config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return CredentialLookup(None)
    except OSError as exc:
        raise InputError(f"cannot read Docker config {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"Docker config {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"Docker config {path} is not a JSON object")
    helper: str | None = None
    helpers = data.get("credHelpers")
    if isinstance(helpers, dict):
        for key, name in helpers.items():
            if isinstance(name, str) and _same_registry(str(key), host):
                helper = name
    if helper is None and isinstance(data.get("credsStore"), str) and data["credsStore"]:
        helper = data["credsStore"]
    auths = data.get("auths")
    if isinstance(auths, dict):
        for key, entry in auths.items():
            if not isinstance(entry, dict) or not _same_registry(str(key), host):
                continue
            credentials = _entry_credentials(entry, path, str(key))
            if credentials is not None:
                return CredentialLookup(credentials, helper, path)
    return CredentialLookup(None, helper, path)


def _entry_credentials(entry: Mapping[str, Any], path: Path, key: str) -> Credentials | None:
    auth = entry.get("auth")
    if isinstance(auth, str) and auth:
        try:
            decoded = base64.b64decode(auth, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise InputError(f"Docker config {path}: the `auth` of {key!r} is not base64 of user:password") from None
        user, sep, password = decoded.partition(":")
        if not sep:
            raise InputError(f"Docker config {path}: the `auth` of {key!r} is not base64 of user:password")
        return Credentials(user, password)
    username, secret = entry.get("username"), entry.get("password")
    if isinstance(username, str) and isinstance(secret, str) and username:
        return Credentials(username, secret)
    return None


def parse_challenge(header: str) -> Challenge | None:
    """Read the first challenge of a `WWW-Authenticate` header (`Bearer realm="…",service="…"`)."""
    scheme, _, rest = header.strip().partition(" ")
    if not scheme:
        return None
    params = {m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3)) for m in
              _PARAM_RE.finditer(rest)}
    params = {k: v.replace('\\"', '"') for k, v in params.items()}
    return Challenge(scheme.lower(), params)


def _registry_message(body: bytes) -> str:
    """The first `errors[].message` of a distribution error body, or ''."""
    try:
        data = json.loads(body[:65536])
        first = data["errors"][0]
        text = f"{first.get('code', '')}: {first.get('message', '')}".strip(": ")
        return " ".join(text.split())[:300]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError):
        return ""


class _NoAuthRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects (blob storage often lives elsewhere), refusing an https → http downgrade unless insecure.

    The `Authorization` header is added as an "unredirected" header, so urllib never sends it to the target."""

    def __init__(self, insecure: bool) -> None:
        self.insecure = insecure

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                         headers: http.client.HTTPMessage, newurl: str) -> urllib.request.Request | None:
        if urllib.parse.urlsplit(newurl).scheme == "http" and req.type == "https" and not self.insecure:
            raise InputError(f"registry redirected to plain http ({newurl}): refused", hint="use --insecure to allow")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class RegistryClient:
    """One repository on one registry; keeps the scheme and token it negotiated. Not thread-safe for auth."""

    def __init__(self, reference: Reference, *, insecure: bool = False, timeout: float = DEFAULT_TIMEOUT,
                 docker_config: Path | None = None) -> None:
        self.reference = reference
        self.host = reference.api_host
        self.insecure = insecure
        self.timeout = timeout
        self._lookup = lookup_credentials(reference.registry if reference.registry != DOCKER_HUB else self.host,
                                          docker_config)
        self._authorization: str | None = None
        self._scheme: str | None = None
        self._user_agent = f"shiftsec/{__version__}"
        self._openers: dict[str, urllib.request.OpenerDirector] = {}

    # -- transport ----------------------------------------------------------------------------------------------
    def _opener(self) -> urllib.request.OpenerDirector:
        if "opener" in self._openers:
            return self._openers["opener"]
        context = ssl.create_default_context()
        if self.insecure:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        opener = urllib.request.build_opener(_NoAuthRedirects(self.insecure),
                                             urllib.request.HTTPSHandler(context=context),
                                             urllib.request.ProxyHandler({}) if _no_proxy(self.host) else
                                             urllib.request.ProxyHandler())
        self._openers["opener"] = opener
        return opener

    def _url(self, path: str) -> str:
        return f"{self._scheme or 'https'}://{self.host}{path}"

    def _network_error(self, exc: BaseException) -> InputError:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if isinstance(reason, ssl.SSLCertVerificationError):
            return InputError(f"TLS certificate of {self.host} not trusted: {reason.verify_message}",
                              hint="use --insecure to skip certificate verification")
        if isinstance(reason, ssl.SSLError):
            return InputError(f"{self.host} does not speak TLS ({reason.reason or reason}): a plain-http registry?",
                              hint="use --insecure to allow plain http")
        if isinstance(reason, socket.timeout | TimeoutError):
            plain = "" if self.insecure else "; a plain-http registry needs --insecure"
            return InputError(f"cannot reach registry {self.host}: timed out", hint=NO_NETWORK_HINT + plain)
        text = (reason.strerror or str(reason)) if isinstance(reason, OSError) else str(reason)
        return InputError(f"cannot reach registry {self.host}: {text}", hint=NO_NETWORK_HINT)

    def _open(self, url: str, headers: Mapping[str, str], authorization: str | None) -> http.client.HTTPResponse:
        request = urllib.request.Request(url, headers={"User-Agent": self._user_agent, **headers})
        if authorization:
            request.add_unredirected_header("Authorization", authorization)
        response = self._opener().open(request, timeout=self.timeout)
        assert isinstance(response, http.client.HTTPResponse)
        return response

    def _negotiate(self) -> None:
        """Ping `/v2/` once: pick the scheme and answer an authentication challenge.

        Secure (default): https only. Insecure: plain http first (a registry answering `/v2/` there, 200 or 401,
        is used over http), else https without certificate verification."""
        if self._scheme is not None:
            return
        challenge = self._ping("http") if self.insecure else None
        if challenge is None:
            challenge = self._ping("https", final=True)
        if challenge:
            self._authenticate(challenge)

    def _ping(self, scheme: str, *, final: bool = False) -> str | None:
        """GET /v2/ over `scheme`: None when no registry answers there (raised instead with `final`), else the
        `WWW-Authenticate` challenge of a 401 ('' for a 200). Sets the scheme (that of the URL landed on)."""
        url = f"{scheme}://{self.host}/v2/"
        try:
            response = self._open(url, {}, None)
            with response:
                landed = response.geturl()
            status, challenge = 200, ""
        except urllib.error.HTTPError as exc:
            with exc:
                status, challenge, landed = exc.code, exc.headers.get("WWW-Authenticate", ""), exc.url
        except InputError:
            if final:
                raise
            return None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            if final:
                raise self._network_error(exc) from None
            return None
        if status not in {200, 401}:
            if final:
                raise InputError(f"{self.host} is not an image registry (GET /v2/ answered HTTP {status})")
            return None
        self._scheme = urllib.parse.urlsplit(landed).scheme or scheme
        return challenge

    # -- authentication -----------------------------------------------------------------------------------------
    def _authenticate(self, header: str) -> bool:
        """Answer a challenge; True when a new `Authorization` was obtained (worth one retry)."""
        challenge = parse_challenge(header)
        credentials = self._lookup.credentials
        if challenge is None:
            return False
        if challenge.scheme == "basic":
            if credentials is None or self._authorization == credentials.basic():
                return False
            self._authorization = credentials.basic()
            return True
        if challenge.scheme != "bearer" or not challenge.params.get("realm"):
            return False
        token = self._fetch_token(challenge)
        new = f"Bearer {token}"
        if new == self._authorization:
            return False
        self._authorization = new
        return True

    def _fetch_token(self, challenge: Challenge) -> str:
        realm = challenge.params["realm"]
        parts = urllib.parse.urlsplit(realm)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise InputError(f"registry {self.host} sent an unusable token realm {realm!r}")
        if parts.scheme == "http" and not self.insecure:
            raise InputError(f"registry {self.host} wants tokens from a plain-http realm ({realm}): refused",
                             hint="use --insecure to allow plain http")
        query: list[tuple[str, str]] = []
        if challenge.params.get("service"):
            query.append(("service", challenge.params["service"]))
        query.append(("scope", challenge.params.get("scope") or f"repository:{self.reference.repository}:pull"))
        credentials = self._lookup.credentials
        if credentials is not None:
            query.append(("account", credentials.username))
        separator = "&" if parts.query else "?"
        url = realm + separator + urllib.parse.urlencode(query)
        try:
            response = self._open(url, {"Accept": "application/json"},
                                  credentials.basic() if credentials else None)
            with response:
                body = response.read(MAX_DOCUMENT + 1)
        except urllib.error.HTTPError as exc:
            with exc:
                if exc.code in {401, 403}:
                    raise self._denied(f"the token service of {self.host} refused"
                                       + (" the credentials" if credentials else " an anonymous token")) from None
                raise InputError(f"token service of {self.host} answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise self._network_error(exc) from None
        try:
            data = json.loads(body)
            token = data.get("token") or data.get("access_token")
        except (ValueError, AttributeError, RecursionError):
            token = None
        if not isinstance(token, str) or not token:
            raise InputError(f"token service of {self.host} sent no token")
        return token

    def _denied(self, what: str) -> InputError:
        lookup = self._lookup
        if lookup.credentials is None and lookup.helper:
            hint = (f"the Docker config names the credential helper {lookup.helper!r}, which shiftsec does not run: "
                    f"put the credentials under `auths` in {lookup.config_path} (docker login --password-stdin)")
        elif lookup.credentials is None:
            hint = f"log in first: credentials are read from `auths` in {docker_config_path()}"
        else:
            hint = f"check the credentials of {self.reference.registry} in {lookup.config_path}"
        return InputError(f"{what} ({self.reference})", hint=hint)

    # -- requests -----------------------------------------------------------------------------------------------
    def get(self, path: str, headers: Mapping[str, str], what: str) -> http.client.HTTPResponse:
        """GET `path` on the registry with authentication; HTTP errors become one-line `InputError`s."""
        self._negotiate()
        for attempt in range(2):
            try:
                return self._open(self._url(path), headers, self._authorization)
            except urllib.error.HTTPError as exc:
                with exc:
                    if exc.code == 401 and attempt == 0 and self._authenticate(exc.headers.get("WWW-Authenticate", "")):
                        continue
                    detail = _registry_message(exc.read(65536) if exc.fp is not None else b"")
                    raise self._http_error(exc.code, what, detail) from None
            except InputError:
                raise
            except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                raise self._network_error(exc) from None
        raise AssertionError("unreachable")

    def _http_error(self, code: int, what: str, detail: str) -> InputError:
        suffix = f": {detail}" if detail else ""
        if code in {401, 403}:
            return self._denied(f"{self.host} refused access to {what} (HTTP {code}{suffix})")
        if code == 404:
            return InputError(f"{what} not found on {self.host} (HTTP 404{suffix})")
        if code == 429:
            return InputError(f"{self.host} is rate-limiting us (HTTP 429{suffix})", hint="retry later or log in")
        return InputError(f"{self.host} answered HTTP {code} for {what}{suffix}")

    def get_manifest(self, reference: str) -> tuple[bytes, str, str]:
        """Fetch a manifest or index by tag or digest: (body, media type, sha256 digest of the body).

        The body's digest must equal `reference` when that is a digest, and the `Docker-Content-Digest` header
        when the registry sends one."""
        name = self.reference.repository
        what = f"manifest {name}:{reference}" if ":" not in reference else f"manifest {name}@{reference}"
        response = self.get(f"/v2/{name}/manifests/{urllib.parse.quote(reference, safe=':')}",
                            {"Accept": ", ".join((*MANIFEST_TYPES, DOCKER_MANIFEST_V1))}, what)
        with response:
            body = self._read_document(response, what)
            media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip()
            header_digest = response.headers.get("Docker-Content-Digest")
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        expected = reference if ":" in reference else header_digest
        if expected and expected.startswith("sha256:") and expected != digest:
            raise InputError(f"{what}: digest mismatch (expected {expected}, got {digest})")
        if expected and expected.startswith("sha512:") and expected != "sha512:" + hashlib.sha512(body).hexdigest():
            raise InputError(f"{what}: digest mismatch (expected {expected})")
        return body, media_type, digest

    def read_blob(self, digest: str, what: str) -> bytes:
        """A small blob (an image config) read whole and verified against its digest."""
        with self.open_blob(digest, what) as response:
            body = self._read_document(response, what)
        algorithm, _, hexpart = digest.partition(":")
        if algorithm in {"sha256", "sha512"} and hashlib.new(algorithm, body).hexdigest() != hexpart:
            raise InputError(f"{what}: digest mismatch (the registry sent other content than {digest})")
        return body

    def open_blob(self, digest: str, what: str) -> http.client.HTTPResponse:
        """Stream a blob (redirects followed). The caller verifies the digest as it reads."""
        return self.get(f"/v2/{self.reference.repository}/blobs/{digest}", {}, what)

    def _read_document(self, response: http.client.HTTPResponse, what: str) -> bytes:
        try:
            body = response.read(MAX_DOCUMENT + 1)
        except (OSError, http.client.HTTPException) as exc:
            raise self._network_error(exc) from None
        if len(body) > MAX_DOCUMENT:
            raise InputError(f"{what} is larger than {MAX_DOCUMENT >> 20} MiB: refused")
        return body


def _no_proxy(host: str) -> bool:
    name = host.rsplit(":", 1)[0].strip("[]")
    return name in {"localhost", "::1"} or name.startswith("127.")
