"""installed/java-archive over real zip archives written by the test with `zipfile`: plain, shaded and
manifest-only JARs, Spring Boot and WAR/EAR nesting, the depth limit, zip bombs and junk."""

from __future__ import annotations

import struct
import zipfile

import pytest

from shiftsec.analyzers.api import InputFile, Parsed, ParseError
from shiftsec.analyzers.installed import java_archive
from tests.analyzers.installed.builders import pom_properties, zip_bytes


def _analyze(data: bytes, path: str = "app/app.jar") -> Parsed:
    parsed = java_archive.analyze(InputFile(path, data))
    assert parsed.ecosystem == "Maven"
    return parsed


def _keys(parsed: Parsed) -> list[str]:
    return [d.key for d in parsed.packages]


def _pom(group: str, artifact: str, version: str) -> dict[str, bytes]:
    return {f"META-INF/maven/{group}/{artifact}/pom.properties": pom_properties(group, artifact, version),
            f"META-INF/maven/{group}/{artifact}/pom.xml": b"<project/>"}


def _jar(group: str, artifact: str, version: str) -> bytes:
    return zip_bytes({"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\r\n\r\n", **_pom(group, artifact, version),
                      "com/example/A.class": b"\xca\xfe\xba\xbe"})


JACKSON_MANIFEST = (b"Manifest-Version: 1.0\r\nBundle-SymbolicName: com.fasterxml.jackson.core.jackson-datab\r\n ind;"
                    b"singleton:=true\r\nBundle-Version: 2.15.2\r\n\r\nName: x\r\nImplementation-Version: 9\r\n")


@pytest.mark.parametrize(("entries", "keys", "notes"), [
    (_pom("org.apache.commons", "commons-lang3", "3.12.0"), ["org.apache.commons:commons-lang3@3.12.0"], ()),
    # shaded: one pom.properties per bundled artifact
    ({**_pom("com.google.guava", "guava", "32.1.2-jre"), **_pom("com.google.guava", "failureaccess", "1.0.1")},
     ["com.google.guava:guava@32.1.2-jre", "com.google.guava:failureaccess@1.0.1"], ()),
    # pom.properties wins over the manifest
    ({"META-INF/MANIFEST.MF": b"Implementation-Title: other\nImplementation-Version: 0\n",
      **_pom("org.slf4j", "slf4j-api", "2.0.9")}, ["org.slf4j:slf4j-api@2.0.9"], ()),
    # manifest fallback: vendor id + title, then Bundle-SymbolicName (a continuation line, a directive)
    ({"META-INF/MANIFEST.MF": b"Implementation-Title: log4j-core\nImplementation-Version: 2.14.1\n"
                              b"Implementation-Vendor-Id: org.apache.logging.log4j\n"},
     ["org.apache.logging.log4j:log4j-core@2.14.1"],
     ("app.jar: org.apache.logging.log4j:log4j-core 2.14.1 guessed from MANIFEST.MF (no pom.properties)",)),
    ({"META-INF/MANIFEST.MF": JACKSON_MANIFEST}, ["com.fasterxml.jackson.core:jackson-databind@2.15.2"],
     ("app.jar: com.fasterxml.jackson.core:jackson-databind 2.15.2 guessed from MANIFEST.MF (no pom.properties)",)),
    # a manifest without a version, or no metadata at all: nothing
    ({"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\nCreated-By: javac\n"}, [], ()),
    ({"A.class": b"\xca\xfe\xba\xbe"}, [], ()),
    # pom.properties missing its version
    ({"META-INF/maven/g/a/pom.properties": b"groupId=g\nartifactId=a\n"}, [],
     ("app.jar: META-INF/maven/g/a/pom.properties lacks groupId, artifactId or version — skipped",)),
])
def test_single_archives(entries: dict[str, bytes], keys: list[str], notes: tuple[str, ...]) -> None:
    parsed = _analyze(zip_bytes(entries))
    assert _keys(parsed) == keys
    assert parsed.notes == notes


def test_spring_boot_fat_jar() -> None:
    manifest_only = zip_bytes({"META-INF/MANIFEST.MF": b"Bundle-SymbolicName: org.yaml.snakeyaml\n"
                                                       b"Bundle-Version: 1.33.0\n"})
    fat = zip_bytes({
        **_pom("com.acme", "service", "1.0.0"),
        "BOOT-INF/classes/com/acme/App.class": b"\xca\xfe\xba\xbe",
        "BOOT-INF/lib/spring-core-6.0.11.jar": _jar("org.springframework", "spring-core", "6.0.11"),
        "BOOT-INF/lib/snakeyaml-1.33.jar": manifest_only,
        "BOOT-INF/lib/broken.jar": b"this is not a zip",
    }, compression=zipfile.ZIP_STORED)  # Spring Boot stores nested jars uncompressed
    parsed = _analyze(fat, "app/service.jar")
    assert _keys(parsed) == ["com.acme:service@1.0.0", "org.springframework:spring-core@6.0.11",
                             "org.yaml:snakeyaml@1.33.0"]
    assert parsed.notes[0] == ("service.jar!BOOT-INF/lib/snakeyaml-1.33.jar: org.yaml:snakeyaml 1.33.0 guessed from "
                               "MANIFEST.MF (no pom.properties)")
    assert parsed.notes[1].startswith("service.jar!BOOT-INF/lib/broken.jar: not a readable zip archive")


def test_ear_with_war_with_jar() -> None:
    war = zip_bytes({"WEB-INF/lib/commons-text-1.9.jar": _jar("org.apache.commons", "commons-text", "1.9"),
                     "WEB-INF/web.xml": b"<web-app/>"})
    ear = zip_bytes({"web.war": war, "lib/ejb.jar": _jar("com.acme", "ejb", "2.0")})
    parsed = _analyze(ear, "opt/app.ear")
    assert sorted(_keys(parsed)) == ["com.acme:ejb@2.0", "org.apache.commons:commons-text@1.9"]
    assert parsed.notes == ()


def test_depth_limit() -> None:
    inner = _jar("g", "level5", "5")
    for level in (4, 3, 2, 1):
        inner = zip_bytes({**_pom("g", f"level{level}", str(level)), f"lib/l{level + 1}.jar": inner})
    parsed = _analyze(inner, "app/outer.jar")
    assert _keys(parsed) == ["g:level1@1", "g:level2@2", "g:level3@3", "g:level4@4"]
    assert parsed.notes == ("outer.jar!lib/l2.jar!lib/l3.jar!lib/l4.jar!lib/l5.jar: nested deeper than 4 archives "
                            "— skipped",)


def _set_declared_size(archive: bytes, name: str, size: int) -> bytes:
    """`archive` with the central directory's uncompressed size of entry `name` replaced by `size`."""
    data = bytearray(archive)
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_len] == name.encode():
            struct.pack_into("<I", data, at + 24, size)
            return bytes(data)
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"no entry {name}")


def test_zip_bombs_stop_reading_with_a_note() -> None:
    # a metadata entry inflating past the per-entry cap: ~2 KiB compressed, 2 MiB inflated
    big_pom = zip_bytes({"META-INF/maven/g/a/pom.properties": b"#" * (2 * 1024 * 1024)})
    parsed = _analyze(big_pom)
    assert _keys(parsed) == []
    assert parsed.notes == ("app.jar: META-INF/maven/g/a/pom.properties is 2097152 bytes uncompressed, over the "
                            "per-entry limit — reading stopped",)
    # a nested archive declaring more than the total cap: refused before inflating anything
    fat = zip_bytes({**_pom("g", "outer", "1"), "BOOT-INF/lib/bomb.jar": _jar("g", "inner", "1")})
    bomb = _set_declared_size(fat, "BOOT-INF/lib/bomb.jar", java_archive.MAX_TOTAL_BYTES + 1)
    parsed = _analyze(bomb)
    assert _keys(parsed) == ["g:outer@1"]
    assert parsed.notes == (f"app.jar: BOOT-INF/lib/bomb.jar is {java_archive.MAX_TOTAL_BYTES + 1} bytes "
                            "uncompressed, over the total limit — reading stopped",)


def test_entry_lying_about_its_size() -> None:
    lying = _set_declared_size(zip_bytes(_pom("g", "a", "1.0")), "META-INF/maven/g/a/pom.properties", 5)
    with pytest.raises(ParseError, match="unreadable zip archive: Bad CRC-32"):
        _analyze(lying)
    nested = zip_bytes({**_pom("g", "outer", "1"), "lib/x.jar": lying})
    parsed = _analyze(nested)
    assert _keys(parsed) == ["g:outer@1"]
    assert len(parsed.notes) == 1
    assert "Bad CRC-32" in parsed.notes[0]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "not a zip archive"),
    (b"garbage " * 100, "not a zip archive"),
    (zip_bytes(_pom("g", "a", "1"))[:-30], "not a zip archive"),  # the end of central directory cut off
    (b"PK\x05\x06" + b"\x00" * 18, ""),  # an empty archive: nothing, no error
])
def test_bad_archives(data: bytes, message: str) -> None:
    if not message:
        assert _analyze(data).packages == ()
        return
    with pytest.raises(ParseError, match=message) as caught:
        _analyze(data)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("path", "wanted"), [
    ("app/app.jar", True), ("usr/share/java/x.JAR", True), ("opt/x.war", True), ("opt/x.ear", True),
    ("app/x.zip", False), ("app/jar", False), ("app/x.jar.sha1", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert java_archive.ANALYZER.required(path) is wanted
