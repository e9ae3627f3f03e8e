"""What `shiftsec image REF` was given: a local path or a registry reference, and the reference grammar.

Owns the decision "path or registry" (`classify`) and the parsing of registry references following the OCI
distribution / Docker reference grammar (`parse_reference`):

    reference  := [domain "/"] path [":" tag] ["@" digest]
    domain     := host [":" port]          (a first component is a domain when it holds "." or ":" or is
                                            "localhost", as Docker decides; otherwise the image is on docker.io)
    path       := component ("/" component)*        component := [a-z0-9]+ ((\\.|_|__|-+) [a-z0-9]+)*
    tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
    digest     := algorithm ":" hex         (sha256: 64 lowercase hex digits; sha512: 128)

docker.io short names are normalised: `alpine` → `docker.io/library/alpine:latest`; the API of docker.io is
served by `registry-1.docker.io`. A path is local when it exists; `PATH:TAG` (a path that exists once the last
`:TAG` is cut off) selects one image of a layout or archive holding several. Pure: no I/O beyond `os.path`
existence checks in `classify`. Errors are `InputError`s with one line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from shiftsec.errors import InputError

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
DEFAULT_TAG = "latest"
_MAX_NAME = 255

_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
_COMPONENT_RE = re.compile(_COMPONENT)
_PATH_RE = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_DOMAIN_LABEL = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN_RE = re.compile(rf"(?:{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{{1,5}})?")
_TAG_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_DIGEST_RE = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}")
_HEX_LENGTHS = {"sha256": 64, "sha512": 128}


@dataclass(frozen=True)
class Reference:
    """A parsed registry reference. `registry` is as written (`docker.io` for Hub), `api_host` where to connect."""

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def api_host(self) -> str:
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    @property
    def manifest_ref(self) -> str:
        """What to put after `/manifests/`: the digest when there is one (it pins the content), else the tag."""
        return self.digest or self.tag or DEFAULT_TAG

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


@dataclass(frozen=True)
class LocalRef:
    """A file or directory on disk, with the optional `:TAG` that selects one image inside it."""

    path: Path
    tag: str | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.tag}" if self.tag else str(self.path)


def validate_digest(digest: str) -> str:
    """Return `digest` when it is a well-formed content digest (`sha256:<64 hex>`…); raise `InputError` if not."""
    if not _DIGEST_RE.fullmatch(digest):
        raise InputError(f"invalid digest {digest!r}: expected ALGORITHM:HEX, e.g. sha256:<64 hex digits>")
    algorithm, _, hexpart = digest.partition(":")
    expected = _HEX_LENGTHS.get(algorithm)
    if expected is not None and (len(hexpart) != expected or not re.fullmatch(r"[0-9a-f]+", hexpart)):
        raise InputError(f"invalid {algorithm} digest {digest!r}: expected {expected} lowercase hex digits")
    return digest


def parse_reference(text: str) -> Reference:
    """Parse a registry reference; docker.io short names are normalised (`alpine` → `docker.io/library/alpine`)."""
    original = text
    text = text.strip()
    text = text.removeprefix("docker://")
    if not text:
        raise InputError("empty image reference")
    digest: str | None = None
    if "@" in text:
        text, _, digest = text.partition("@")
        validate_digest(digest)
    tag: str | None = None
    last_slash = text.rfind("/")
    colon = text.rfind(":")
    if colon > last_slash:
        text, tag = text[:colon], text[colon + 1:]
        if not _TAG_RE.fullmatch(tag):
            raise InputError(f"invalid tag {tag!r} in {original!r}: letters, digits, '_', '.', '-' (max 128)")
    first, sep, rest = text.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        registry, path = first, rest
        if not _DOMAIN_RE.fullmatch(registry):
            raise InputError(f"invalid registry host {registry!r} in {original!r}")
        if registry in {"index.docker.io", "registry-1.docker.io"}:
            registry = DOCKER_HUB
    else:
        registry, path = DOCKER_HUB, text
    if registry == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    if not path or not _PATH_RE.fullmatch(path):
        raise InputError(
            f"invalid repository name {path!r} in {original!r}: lowercase letters, digits and separators "
            "('.', '_', '__', '-') between them, components joined by '/'"
        )
    if len(path) > _MAX_NAME:
        raise InputError(f"repository name too long in {original!r} ({len(path)} > {_MAX_NAME} characters)")
    if tag is None and digest is None:
        tag = DEFAULT_TAG
    return Reference(registry=registry, repository=path, tag=tag, digest=digest)


def classify(text: str) -> LocalRef | Reference:
    """A local path when `text`, or `text` cut at one of its `:` (the rest a tag), exists; else a registry reference.

    The tag of a local archive may be a whole `repo:tag` (docker-archive `RepoTags`); a tag with a `/` but no `:`
    (`localhost:5000/app`) is never taken for one."""
    if not text.startswith("docker://"):
        if os.path.lexists(text):
            return LocalRef(Path(text))
        position = text.find(":")
        while position > 0:
            head, tag = text[:position], text[position + 1:]
            if os.path.lexists(head) and ("/" not in tag or ":" in tag):
                if not tag:
                    raise InputError(f"empty tag after ':' in {text!r}")
                return LocalRef(Path(head), tag)
            position = text.find(":", position + 1)
        if text.startswith(("/", "./", "../", "~")) or text.endswith((".tar", ".tar.gz", ".tgz")):
            raise InputError(f"no such file or directory: {text}")
    return parse_reference(text)
