"""One pom.xml as data: its coordinates, parent reference, properties, dependencies and managed dependencies,
read with defusedxml (namespaced and un-namespaced poms alike), plus Maven's `${property}` interpolation and
version pins. No file access and no inheritance here; `pom_xml` assembles the effective model.

Profiles marked `activeByDefault` are merged in as Maven does when no other profile is activated (their
properties win, their dependencies and managed dependencies are appended); other profiles are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from shiftsec.analyzers.api import ParseError

_REFERENCE = re.compile(r"\$\{([^${}]+)\}")
_MAX_ROUNDS = 16  # ${a} -> ${b} -> ... deeper than this is a loop
_MAX_VALUE = 1024  # an interpolated value longer than this is abuse (properties doubling each round)
_META_VERSIONS = frozenset({"LATEST", "RELEASE"})
MAX_POM_BYTES = 16 << 20  # the largest real poms are a few hundred kilobytes


@dataclass(frozen=True, slots=True)
class PomDependency:
    """One `<dependency>` as written (nothing interpolated yet)."""

    group: str
    artifact: str
    version: str
    scope: str
    type: str
    classifier: str


@dataclass(frozen=True, slots=True)
class ParentRef:
    group: str
    artifact: str
    version: str
    relative_path: str | None  # None: no <relativePath> (Maven looks at ../pom.xml); "": look nowhere locally

    @property
    def label(self) -> str:
        return f"{self.group}:{self.artifact}:{self.version}"


@dataclass(frozen=True, slots=True)
class Pom:
    group: str  # as written; "" when inherited from the parent
    artifact: str
    version: str
    parent: ParentRef | None
    properties: dict[str, str]
    dependencies: tuple[PomDependency, ...]
    managed: tuple[PomDependency, ...]

    @property
    def effective_group(self) -> str:
        return self.group or (self.parent.group if self.parent else "")

    @property
    def effective_version(self) -> str:
        return self.version or (self.parent.version if self.parent else "")


def parse_pom(data: bytes) -> Pom:
    """The pom `data` holds; `ParseError` when it is not well-formed XML or not a `<project>`."""
    if len(data) > MAX_POM_BYTES:
        raise ParseError(f"{len(data)} bytes: too large for a pom.xml")
    if not data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith((b"<", b"\xff\xfe", b"\xfe\xff")):
        raise ParseError("not XML: the file does not start with '<'")
    try:
        root = SafeElementTree.fromstring(data)
    except DefusedXmlException as exc:
        raise ParseError(f"refused XML: {type(exc).__name__} (entity or external reference)") from None
    except (SafeElementTree.ParseError, ValueError, LookupError) as exc:
        raise ParseError(f"invalid XML: {' '.join(str(exc).split())[:200]}") from None
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = element.tag.partition("}")[2]
    if root.tag != "project":
        raise ParseError(f"not a Maven POM: the root element is <{root.tag}>, not <project>")
    properties = _properties(root)
    dependencies = _dependencies(root.find("dependencies"))
    managed = _dependencies(root.find("dependencyManagement/dependencies"))
    for profile in root.findall("profiles/profile"):
        if _text(profile, "activation/activeByDefault").lower() == "true":
            properties.update(_properties(profile))
            dependencies += _dependencies(profile.find("dependencies"))
            managed += _dependencies(profile.find("dependencyManagement/dependencies"))
    parent = root.find("parent")
    parent_ref = None
    if parent is not None:
        relative = parent.find("relativePath")
        parent_ref = ParentRef(
            _text(parent, "groupId"),
            _text(parent, "artifactId"),
            _text(parent, "version"),
            None if relative is None else (relative.text or "").strip(),
        )
    return Pom(
        _text(root, "groupId"),
        _text(root, "artifactId"),
        _text(root, "version"),
        parent_ref,
        properties,
        dependencies,
        managed,
    )


def _text(element: Element, path: str) -> str:
    found = element.find(path)
    return "" if found is None else (found.text or "").strip()


def _properties(element: Element) -> dict[str, str]:
    block = element.find("properties")
    if block is None:
        return {}
    return {child.tag: (child.text or "").strip() for child in block if isinstance(child.tag, str)}


def _dependencies(block: Element | None) -> tuple[PomDependency, ...]:
    if block is None:
        return ()
    return tuple(
        PomDependency(
            _text(dep, "groupId"),
            _text(dep, "artifactId"),
            _text(dep, "version"),
            _text(dep, "scope"),
            _text(dep, "type"),
            _text(dep, "classifier"),
        )
        for dep in block.findall("dependency")
    )


def builtin_properties(pom: Pom) -> dict[str, str]:
    """The `project.*` (and deprecated `pom.*` and bare) properties Maven defines for `pom`."""
    out: dict[str, str] = {}
    values = {"groupId": pom.effective_group, "artifactId": pom.artifact, "version": pom.effective_version}
    if pom.parent is not None:
        values |= {
            "parent.groupId": pom.parent.group,
            "parent.artifactId": pom.parent.artifact,
            "parent.version": pom.parent.version,
        }
    for key, value in values.items():
        if value:
            out[f"project.{key}"] = out[f"pom.{key}"] = out[key] = value
    return out


def interpolate(text: str, properties: dict[str, str]) -> tuple[str | None, str]:
    """`text` with every `${name}` replaced: (value, ""), or (None, the name that cannot be resolved)."""
    name = ""
    for _ in range(_MAX_ROUNDS):
        names = [m.group(1) for m in _REFERENCE.finditer(text)]
        if not names:
            return text, ""
        name = next((n for n in names if n not in properties), "")
        if name:
            return None, name
        name = names[0]
        if len(text) + sum(len(properties[n]) for n in names) > _MAX_VALUE:  # checked before building it
            return None, f"{name} (expands too far)"
        text = _REFERENCE.sub(lambda m: properties[m.group(1)], text)
    return None, f"{name} (a reference cycle)"


def maven_range_floor(version: str) -> str | None:
    """The lowest version a Maven range lets in, when it names one inclusively: "[1.0,2.0)" → 1.0; None for
    "(1.0,2.0)", "(,2.0]", several ranges, or anything else."""
    text = version.strip()
    if not text.startswith("[") or text.count(",") != 1 or not text.endswith((")", "]")):
        return None
    floor = text[1:].split(",", 1)[0].strip()
    return floor if floor and not any(c in floor for c in "[](),${} \t\n") else None


def maven_pin(version: str) -> str | None:
    """The exact version a Maven version string names: "1.2" and "[1.2]" name 1.2; ranges ("[1.0,2.0)"),
    LATEST/RELEASE and leftovers of interpolation name none (None)."""
    text = version.strip()
    if text.startswith("[") and text.endswith("]") and "," not in text:
        text = text[1:-1].strip()
    if not text or text in _META_VERSIONS or any(c in text for c in "[](),${} \t\n"):
        return None
    return text
