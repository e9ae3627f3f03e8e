"""Which operating system an image (or extracted root file system) holds, from the contents of its release files.

`detect(files)` is a pure function over a mapping of in-image path (relative, forward slashes: `etc/os-release`)
→ bytes; `RELEASE_FILES` lists every path it looks at, so a caller captures exactly those. Precedence:
`etc/os-release`, then `usr/lib/os-release` (ID, VERSION_ID, VERSION_CODENAME, VERSION, PRETTY_NAME, ID_LIKE),
then the distribution-specific files `etc/alpine-release`, `etc/debian_version`, `etc/redhat-release` (and
`etc/rocky-release`, `etc/almalinux-release`, `etc/centos-release`, `etc/fedora-release`), `etc/lsb-release`.
A Debian-based distroless image has no os-release (or Google's, with `PRETTY_NAME="Distroless"` and
`ID=debian`): `etc/debian_version` then gives the release.

`OperatingSystem.ecosystem` is the OSV ecosystem, with the release, that the distribution's advisories use
(docs/schema.md of osv-schema, "Affected package ecosystems"):

- Debian → `Debian:<major>` (VERSION_ID `12`, debian_version `12.5` → `12`); a testing/unstable system has no
  VERSION_ID: its codename (VERSION_CODENAME, or `trixie/sid` in debian_version) gives the number when the
  codename is a known release (`trixie` → `Debian:13`), and plain `sid` gives `Debian:sid` (OSV's name for a
  release without a number). Nothing usable → `Debian` (then per-release advisories cannot be matched, and
  the scanner says so).
- Ubuntu → `Ubuntu:<YY.MM>` with OSV's mandatory `:LTS` suffix for long-term releases (`Ubuntu:22.04:LTS`,
  `Ubuntu:23.10`): LTS when VERSION/PRETTY_NAME/DISTRIB_DESCRIPTION says "LTS", or for an even-year `.04`.
  Ubuntu Pro (ESM) advisories (`Ubuntu:Pro:18.04:LTS`) are not matched: an image does not say it is attached.
- Alpine → `Alpine:v<major.minor>` (3.14.0 → `Alpine:v3.14`); edge (`3.20_alpha…`) → `Alpine`.
- Red Hat Enterprise Linux (and UBI) → `Red Hat:enterprise_linux:<major>`: OSV's Red Hat records use the CPE
  of a product stream (`Red Hat:enterprise_linux:9::baseos`, `…::appstream`); the repository is not known
  from the image, so the scanner matches every `enterprise_linux:<major>` stream (`scanners.vulns`).
- Rocky Linux → `Rocky Linux:<major>`, AlmaLinux → `AlmaLinux:<major>`.
- SUSE → `SUSE:<PRETTY_NAME without "SUSE ">` (`SUSE:Linux Enterprise Server 15 SP5`), openSUSE →
  `openSUSE:<PRETTY_NAME without "openSUSE ">` (`openSUSE:Leap 15.5`, `openSUSE:Tumbleweed`).
- Wolfi → `Wolfi`, Chainguard → `Chainguard` (rolling: OSV uses no release).
- CentOS, Fedora, Oracle Linux, Amazon Linux, Arch, derivatives (ID_LIKE only), …: OSV has no ecosystem for
  them, so `ecosystem` is None; `family` ("debian", "alpine", "rpm" or None) still says how their packages
  are stored and versioned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from shiftsec.purl_to_osv import _DEBIAN_CODENAMES, _UBUNTU_CODENAMES

__all__ = ["RELEASE_FILES", "OperatingSystem", "detect", "parse_os_release"]

RELEASE_FILES: tuple[str, ...] = (
    "etc/os-release",
    "usr/lib/os-release",
    "etc/alpine-release",
    "etc/debian_version",
    "etc/redhat-release",
    "etc/rocky-release",
    "etc/almalinux-release",
    "etc/centos-release",
    "etc/fedora-release",
    "etc/lsb-release",
)

_DEBIAN_NUMBER = re.compile(r"(\d+)(?:\.\d+)*")
_TWO_PART = re.compile(r"(\d+)\.(\d+)")
_MAJOR = re.compile(r"(\d+)")
_REDHAT_LINE = re.compile(r"^(?P<name>.+?)\s+release\s+(?P<version>[0-9][^\s]*)", re.IGNORECASE)
_RPM_FAMILY = frozenset(
    {"rhel", "centos", "fedora", "rocky", "almalinux", "ol", "amzn", "sles", "sled", "sles_sap", "opensuse",
     "opensuse-leap", "opensuse-tumbleweed", "mariner", "azurelinux", "photon", "openeuler", "mageia"}
)


@dataclass(frozen=True, slots=True)
class OperatingSystem:
    """`id` is the os-release ID (`debian`, `ubuntu`, `alpine`, `rhel`, …), `version` the release as the system
    writes it (`12`, `22.04`, `3.14.0`, `9.3`; "" when unknown), `name` a human name (PRETTY_NAME), and
    `ecosystem` the OSV ecosystem with release (None when OSV has no ecosystem for this distribution)."""

    id: str
    version: str
    name: str
    ecosystem: str | None
    family: str | None = None  # "debian", "alpine" or "rpm": how packages are stored and versions ordered

    @property
    def purl_distro(self) -> str:
        """The purl `distro` qualifier: `debian-12`, `ubuntu-22.04`, `alpine-3.14.0`, `rhel-9.3`."""
        return f"{self.id}-{self.version}" if self.version else self.id


def parse_os_release(data: bytes) -> dict[str, str]:
    """The KEY=value pairs of an os-release (or lsb-release) file, quotes and backslash escapes removed."""
    out: dict[str, str] = {}
    for raw in data.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        out[key.strip()] = re.sub(r"\\(.)", r"\1", value)
    return out


def _first_line(data: bytes | None) -> str:
    if not data:
        return ""
    text = data.decode("utf-8", "replace").strip()
    return text.splitlines()[0].strip() if text else ""


def _debian(version: str, codename: str, name: str) -> OperatingSystem:
    match = _DEBIAN_NUMBER.fullmatch(version) if version else None
    if match:
        release: str | None = match.group(1)
    else:
        # testing/unstable: "trixie/sid" in debian_version, VERSION_CODENAME=trixie in os-release
        words = [w for w in re.split(r"[/\s]+", f"{codename} {version}".strip().lower()) if w]
        release = next((_DEBIAN_CODENAMES[w] for w in words if w in _DEBIAN_CODENAMES), None)
        if release is None and "sid" in words:
            release = "sid"
    return OperatingSystem("debian", version, name or "Debian GNU/Linux", f"Debian:{release}" if release else "Debian",
                           "debian")


def _ubuntu(version: str, codename: str, description: str, name: str) -> OperatingSystem:
    match = _TWO_PART.match(version) if version else None
    release = f"{match.group(1)}.{match.group(2)}" if match else _UBUNTU_CODENAMES.get(codename.lower())
    if release is None:
        return OperatingSystem("ubuntu", version, name or "Ubuntu", "Ubuntu", "debian")
    year, _, month = release.partition(".")
    lts = "LTS" in description.split() or (month == "04" and int(year) % 2 == 0)
    ecosystem = f"Ubuntu:{release}:LTS" if lts else f"Ubuntu:{release}"
    return OperatingSystem("ubuntu", version or release, name or "Ubuntu", ecosystem, "debian")


def _alpine(version: str, name: str) -> OperatingSystem:
    match = _TWO_PART.match(version)
    edge = "_" in version or not match
    ecosystem = "Alpine" if edge or match is None else f"Alpine:v{match.group(1)}.{match.group(2)}"
    return OperatingSystem("alpine", version, name or "Alpine Linux", ecosystem, "alpine")


def _rpm_distro(os_id: str, version: str, name: str) -> OperatingSystem:
    major = _MAJOR.match(version)
    ecosystem: str | None = None
    if os_id == "rhel":
        ecosystem = f"Red Hat:enterprise_linux:{major.group(1)}" if major else "Red Hat"
    elif os_id == "rocky":
        ecosystem = f"Rocky Linux:{major.group(1)}" if major else "Rocky Linux"
    elif os_id == "almalinux":
        ecosystem = f"AlmaLinux:{major.group(1)}" if major else "AlmaLinux"
    elif os_id in ("sles", "sled", "sles_sap"):
        ecosystem = f"SUSE:{name.removeprefix('SUSE ')}" if name else "SUSE"
    elif os_id.startswith("opensuse"):
        ecosystem = f"openSUSE:{name.removeprefix('openSUSE ')}" if name else "openSUSE"
    return OperatingSystem(os_id, version, name or os_id, ecosystem, "rpm")


def _from_os_release(fields: Mapping[str, str], files: Mapping[str, bytes]) -> OperatingSystem:
    os_id = fields.get("ID", "").strip().lower() or "linux"
    version = fields.get("VERSION_ID", "").strip()
    codename = fields.get("VERSION_CODENAME", "").strip()
    name = fields.get("PRETTY_NAME", "").strip() or fields.get("NAME", "").strip()
    if os_id == "debian":
        # Google distroless writes PRETTY_NAME="Distroless"; older ones lack VERSION_ID: debian_version has it.
        if not version:
            version = _first_line(files.get("etc/debian_version"))
        return _debian(version, codename, name)
    if os_id == "ubuntu":
        return _ubuntu(version, codename, f"{fields.get('VERSION', '')} {name}", name)
    if os_id == "alpine":
        return _alpine(version or _first_line(files.get("etc/alpine-release")), name)
    if os_id == "wolfi":
        return OperatingSystem("wolfi", version, name or "Wolfi", "Wolfi", "alpine")
    if os_id == "chainguard":
        return OperatingSystem("chainguard", version, name or "Chainguard", "Chainguard", "alpine")
    if os_id in _RPM_FAMILY:
        return _rpm_distro(os_id, version, name)
    like = fields.get("ID_LIKE", "").lower().split()
    family = "debian" if {"debian", "ubuntu"} & set(like) else "alpine" if "alpine" in like else None
    if family is None and {"rhel", "fedora", "centos", "suse", "opensuse"} & set(like):
        family = "rpm"
    return OperatingSystem(os_id, version, name or os_id, None, family)


def detect(files: Mapping[str, bytes]) -> OperatingSystem | None:
    """The operating system described by the release files in `files` (see `RELEASE_FILES`), or None."""
    for path in ("etc/os-release", "usr/lib/os-release"):
        data = files.get(path)
        if data:
            fields = parse_os_release(data)
            if fields.get("ID"):
                return _from_os_release(fields, files)
    alpine = _first_line(files.get("etc/alpine-release"))
    if alpine:
        return _alpine(alpine, "")
    for path, os_id in (("etc/rocky-release", "rocky"), ("etc/almalinux-release", "almalinux"),
                        ("etc/centos-release", "centos"), ("etc/fedora-release", "fedora"),
                        ("etc/redhat-release", "")):
        line = _first_line(files.get(path))
        match = _REDHAT_LINE.match(line)
        if match:
            text = match.group("name").lower()
            guessed = os_id or next(
                (i for key, i in (("red hat", "rhel"), ("rocky", "rocky"), ("alma", "almalinux"),
                                  ("centos", "centos"), ("fedora", "fedora")) if key in text), "rhel")
            return _rpm_distro(guessed, match.group("version"), line)
    debian = _first_line(files.get("etc/debian_version"))
    if debian:
        return _debian(debian, "", "")
    lsb = parse_os_release(files.get("etc/lsb-release") or b"")
    if lsb.get("DISTRIB_ID", "").lower() == "ubuntu":
        description = lsb.get("DISTRIB_DESCRIPTION", "")
        return _ubuntu(lsb.get("DISTRIB_RELEASE", ""), lsb.get("DISTRIB_CODENAME", ""), description, description)
    return None
