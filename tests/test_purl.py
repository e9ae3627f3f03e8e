"""Package URL parsing (purl-spec rules and type normalizations) and the purl → OSV mapping."""

from __future__ import annotations

import random
from types import MappingProxyType
from typing import Any

import pytest

from shiftsec.purl import PackageURL, _parse_by_spec, parse_purl
from shiftsec.purl_to_osv import osv_version, to_osv

# --- parsing ----------------------------------------------------------------------------------------------


def P(
    kind: str,
    namespace: str | None,
    name: str,
    version: str | None = None,
    subpath: str | None = None,
    **qualifiers: str,
) -> PackageURL:
    """The expected parse result (a short name: it reads like a constructor in the tables below)."""
    return PackageURL(kind, namespace, name, version, MappingProxyType(qualifiers), subpath)


# name: (purl, expected). Cases from the purl-spec test suite and type definitions, plus shapes seen in SBOMs.
PARSE_CASES: dict[str, tuple[str, PackageURL]] = {
    "maven basic": ("pkg:maven/org.apache.commons/io@1.3.4", P("maven", "org.apache.commons", "io", "1.3.4")),
    "maven without version": ("pkg:maven/org.apache.commons/io", P("maven", "org.apache.commons", "io")),
    "maven keeps case": (
        "pkg:maven/HTTPClient/HTTPClient@0.3-3",
        P("maven", "HTTPClient", "HTTPClient", "0.3-3"),
    ),
    "maven qualifiers, type and key lowercased": (
        "pkg:Maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources&repositorY_url=repo.spring.io/release",
        P(
            "maven",
            "org.apache.xmlgraphics",
            "batik-anim",
            "1.9.1",
            classifier="sources",
            repository_url="repo.spring.io/release",
        ),
    ),
    "encoded space in version and qualifier": (
        "pkg:maven/mygroup/myartifact@1.0.0%20Final?mykey=my%20value",
        P("maven", "mygroup", "myartifact", "1.0.0 Final", mykey="my value"),
    ),
    "golang with subpath, slashes trimmed": (
        "pkg:GOLANG/google.golang.org/genproto@abcdedf#/googleapis/api/annotations/",
        P("golang", "google.golang.org", "genproto", "abcdedf", "googleapis/api/annotations"),
    ),
    "golang keeps case (module paths are case sensitive)": (
        "pkg:golang/github.com/BurntSushi/toml@v1.3.2",
        P("golang", "github.com/BurntSushi", "toml", "v1.3.2"),
    ),
    "bitbucket lowercased": (
        "pkg:bitbucket/birKenfeld/pyGments-main@244fd47e07d1014f0aed9c",
        P("bitbucket", "birkenfeld", "pygments-main", "244fd47e07d1014f0aed9c"),
    ),
    "github lowercased": (
        "pkg:github/Package-url/purl-Spec@244fd47e07d1004f0aed9c",
        P("github", "package-url", "purl-spec", "244fd47e07d1004f0aed9c"),
    ),
    "deb with qualifiers": (
        "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie",
        P("deb", "debian", "curl", "7.50.3-1", arch="i386", distro="jessie"),
    ),
    "deb epoch and encoded plus": (
        "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64",
        P("deb", "debian", "attr", "1:2.4.47-2+b1", arch="amd64"),
    ),
    "docker digest version keeps its colon": (
        "pkg:docker/customer/dockerimage@sha256:244fd47e07d1004f0aed9c?repository_url=gcr.io",
        P("docker", "customer", "dockerimage", "sha256:244fd47e07d1004f0aed9c", repository_url="gcr.io"),
    ),
    "gem qualifier key lowercased": (
        "pkg:gem/jruby-launcher@1.1.2?Platform=java",
        P("gem", None, "jruby-launcher", "1.1.2", platform="java"),
    ),
    "npm scope percent-encoded": (
        "pkg:npm/%40angular/animation@12.3.1",
        P("npm", "@angular", "animation", "12.3.1"),
    ),
    "npm scope not encoded": (
        "pkg:npm/@angular/animation@12.3.1",
        P("npm", "@angular", "animation", "12.3.1"),
    ),
    "npm scope not encoded, no version": ("pkg:npm/@babel/core", P("npm", "@babel", "core")),
    "npm scope and name in one encoded name": (
        "pkg:npm/%40gar%2Fpromisify@1.1.3",
        P("npm", None, "@gar/promisify", "1.1.3"),
    ),
    "npm lowercased": ("pkg:npm/%40Angular/Core@12.0.0", P("npm", "@angular", "core", "12.0.0")),
    "npm qualifier with encoded url": (
        "pkg:npm/packageurl-js@0.0.7?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Fpackage-url%2Fpackageurl-js.git",
        P(
            "npm",
            None,
            "packageurl-js",
            "0.0.7",
            vcs_url="git+https://github.com/package-url/packageurl-js.git",
        ),
    ),
    "nuget keeps case": (
        "pkg:Nuget/EnterpriseLibrary.Common@6.0.1304",
        P("nuget", None, "EnterpriseLibrary.Common", "6.0.1304"),
    ),
    "pypi normalized (PEP 503)": (
        "pkg:PYPI/Django_package@1.11.1.dev1",
        P("pypi", None, "django-package", "1.11.1.dev1"),
    ),
    "pypi runs of separators": ("pkg:pypi/Zope.._Interface@5.0", P("pypi", None, "zope-interface", "5.0")),
    "rpm qualifier keys lowercased, name case kept": (
        "pkg:Rpm/fedora/NetworkManager@1.30.0-7.fc34?Arch=x86_64&Distro=fedora-34",
        P("rpm", "fedora", "NetworkManager", "1.30.0-7.fc34", arch="x86_64", distro="fedora-34"),
    ),
    "slash after scheme is not significant": (
        "pkg:/maven/org.apache.commons/io",
        P("maven", "org.apache.commons", "io"),
    ),
    "double slash after scheme is not significant": (
        "pkg://maven/org.apache.commons/io",
        P("maven", "org.apache.commons", "io"),
    ),
    "triple slash after scheme is not significant": (
        "pkg:///maven/org.apache.commons/io",
        P("maven", "org.apache.commons", "io"),
    ),
    "empty namespace segments dropped": (
        "pkg:golang/github.com//gorilla/context@v1",
        P("golang", "github.com/gorilla", "context", "v1"),
    ),
    "empty qualifier values dropped": ("pkg:npm/foo@1.0?a=&b=2&&c", P("npm", None, "foo", "1.0", b="2")),
    "subpath dot segments dropped": (
        "pkg:github/package-url/purl-spec@244fd47#./everybody/../loves//dogs/",
        P("github", "package-url", "purl-spec", "244fd47", "everybody/loves/dogs"),
    ),
    "subpath with plus": (
        "pkg:cocoapods/GoogleUtilities@7.5.2#NSData+zlib",
        P("cocoapods", None, "GoogleUtilities", "7.5.2", "NSData+zlib"),
    ),
    "conan namespace and qualifiers": (
        "pkg:conan/openssl.org/openssl@3.0.3?user=bincrafters&channel=stable",
        P("conan", "openssl.org", "openssl", "3.0.3", user="bincrafters", channel="stable"),
    ),
    "swift": (
        "pkg:swift/github.com/Alamofire/Alamofire@5.4.3",
        P("swift", "github.com/Alamofire", "Alamofire", "5.4.3"),
    ),
    "hex lowercased, with subpath": (
        "pkg:hex/Phoenix_HTML@2.13.3#priv/static/phoenix_html.js",
        P("hex", None, "phoenix_html", "2.13.3", "priv/static/phoenix_html.js"),
    ),
    "oci name and version lowercased": (
        "pkg:oci/Debian@sha256%3A244FD47E07D10?repository_url=docker.io/library/debian&tag=latest",
        P(
            "oci",
            None,
            "debian",
            "sha256:244fd47e07d10",
            repository_url="docker.io/library/debian",
            tag="latest",
        ),
    ),
    "uppercase scheme": ("PKG:npm/foo@1", P("npm", None, "foo", "1")),
    "non-ASCII percent-encoded name": ("pkg:generic/caf%C3%A9@1.0", P("generic", None, "café", "1.0")),
    "at sign in qualifier value": (
        "pkg:npm/foo@1.0?vcs_url=git%40github.com:org/foo.git",
        P("npm", None, "foo", "1.0", vcs_url="git@github.com:org/foo.git"),
    ),
    "version with a slash (taken from the last @)": (
        "pkg:generic/foo/bar@release/1.0",
        P("generic", "foo", "bar", "release/1.0"),
    ),
}


@pytest.mark.parametrize(("purl", "expected"), list(PARSE_CASES.values()), ids=list(PARSE_CASES))
def test_parse(purl: str, expected: PackageURL) -> None:
    parsed = parse_purl(purl)
    assert parsed == expected
    assert PackageURL.from_string(purl) == parsed


@pytest.mark.parametrize("purl", [case[0] for case in PARSE_CASES.values()], ids=list(PARSE_CASES))
def test_canonical_string_parses_back_to_the_same_purl(purl: str) -> None:
    parsed = parse_purl(purl)
    assert parse_purl(parsed.to_string()) == parsed
    assert str(parsed) == parsed.to_string()


CANONICAL_CASES = {
    "type lowercased, qualifiers sorted": (
        "pkg:Maven/org.apache.xmlgraphics/batik-anim@1.9.1?repositorY_url=repo.spring.io/release&classifier=sources",
        "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources&repository_url=repo.spring.io/release",
    ),
    "subpath trimmed": (
        "pkg:GOLANG/google.golang.org/genproto#/googleapis/api/annotations/",
        "pkg:golang/google.golang.org/genproto#googleapis/api/annotations",
    ),
    "scope encoded": ("pkg:npm/@angular/animation@12.3.1", "pkg:npm/%40angular/animation@12.3.1"),
    "spaces encoded": (
        "pkg:maven/mygroup/myartifact@1.0.0%20Final?mykey=my%20value",
        "pkg:maven/mygroup/myartifact@1.0.0%20Final?mykey=my%20value",
    ),
    "plus in version encoded": (
        "pkg:deb/debian/attr@1:2.4.47-2+b1?arch=amd64",
        "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64",
    ),
    "leading slashes dropped": ("pkg:///maven/org.apache.commons/io", "pkg:maven/org.apache.commons/io"),
    "pypi normalized": ("pkg:PYPI/Django_package@1.11.1.dev1", "pkg:pypi/django-package@1.11.1.dev1"),
}


@pytest.mark.parametrize(("purl", "canonical"), list(CANONICAL_CASES.values()), ids=list(CANONICAL_CASES))
def test_canonical_string(purl: str, canonical: str) -> None:
    assert parse_purl(purl).to_string() == canonical


def test_qualifier_order_does_not_matter() -> None:
    a = parse_purl("pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie")
    b = parse_purl("pkg:deb/debian/curl@7.50.3-1?distro=jessie&arch=i386")
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
    assert a.to_string() == b.to_string()


def test_parsed_purl_is_immutable() -> None:
    parsed = parse_purl("pkg:deb/debian/curl@7.50.3-1?arch=i386")
    with pytest.raises(AttributeError):
        parsed.name = "wget"  # type: ignore[misc]
    with pytest.raises(TypeError):
        parsed.qualifiers["arch"] = "amd64"  # type: ignore[index]


# name: (purl, a fragment of the error message)
INVALID_CASES: dict[str, tuple[Any, str]] = {
    "no scheme": ("EnterpriseLibrary.Common@6.0.1304", "scheme"),
    "no type": ("pkg:EnterpriseLibrary.Common@6.0.1304", "type"),
    "no name": ("pkg:maven/@1.3.4", "missing name"),
    "no name after namespace": ("pkg:swift/github.com/Alamofire/@5.4.3", "missing name"),
    "only a type": ("pkg:pypi/", "missing name"),
    "only slashes": ("pkg:///", "type"),
    "only a slash": ("/", "scheme"),
    "empty": ("", "empty"),
    "not a string": (42, "string"),
    "other scheme": ("http://example.com/foo", "scheme must be 'pkg'"),
    "encoded scheme colon": ("pkg%3Amaven/org.apache.commons/io", "scheme"),
    "type starts with a digit": ("pkg:3nginx/nginx@0.8.9", "invalid type"),
    "colon in type": ("pkg:nginx:a/nginx@0.8.9", "invalid type"),
    "question mark in type": ("pkg:n&g?inx/nginx@0.8.9", "qualifier key"),
    "space in qualifier key": ("pkg:npm/myartifact@1.0.0?in%20production=true", "qualifier key"),
    "qualifier key starts with a digit": ("pkg:npm/foo@1?1arch=x", "qualifier key"),
    "duplicate qualifier key": ("pkg:npm/foo@1?arch=x&Arch=y", "duplicate qualifier key"),
    "malformed escape": ("pkg:npm/foo%2@1", "percent-encoding"),
    "escape that is not UTF-8": ("pkg:npm/foo%FF@1", "UTF-8"),
    "slash inside a namespace segment": ("pkg:maven/org%2Fexample/foo@1", "contains '/'"),
    "slash inside a subpath segment": ("pkg:golang/example.com/mod@v1#a%2Fb", "contains '/'"),
    "maven without namespace": ("pkg:maven/io@1.0", "needs a namespace"),
    "swift without namespace": ("pkg:swift/Alamofire@5.4.3", "needs a namespace"),
    "empty name before version": ("pkg:apk/alpine/@1.36.1-r27?arch=x86_64", "missing name"),
}


@pytest.mark.parametrize(("purl", "message"), list(INVALID_CASES.values()), ids=list(INVALID_CASES))
def test_invalid(purl: Any, message: str) -> None:
    with pytest.raises(ValueError, match=None) as info:
        parse_purl(purl)
    assert message in str(info.value)


# --- fast path vs the spec algorithm ------------------------------------------------------------------------


def _random_purl(rng: random.Random) -> str:
    pieces = [
        "",
        "a",
        "Ab",
        "%40scope",
        "@scope",
        "x.y",
        "%2F",
        "%zz",
        "v1.0",
        "..",
        ".",
        "%C3%A9",
        "a b",
        "%FF",
    ]
    separators = ["/", "//", "@", "?", "#", "&", "=", ":", "%", ""]
    head = rng.choice(["pkg:", "pkg:", "pkg:", "PKG:", "pkg:/", "pkg://", "pk:", ""])
    kind = rng.choice(["npm", "pypi", "maven", "deb", "apk", "golang", "Generic", "3x", "a+b", "", "rpm"])
    body = "".join(rng.choice(pieces) + rng.choice(separators) for _ in range(rng.randrange(6)))
    return f"{head}{kind}/{body}"


def _outcome(parse: Any, purl: str) -> object:
    try:
        return parse(purl)
    except ValueError:
        return ValueError


def test_fast_path_agrees_with_the_spec_algorithm() -> None:
    rng = random.Random(20240601)
    purls = [case[0] for case in PARSE_CASES.values()] + [_random_purl(rng) for _ in range(20000)]
    for purl in purls:
        assert _outcome(parse_purl, purl) == _outcome(_parse_by_spec, purl), purl


def test_random_text_raises_only_value_error() -> None:
    rng = random.Random(7)
    alphabet = "pkg:/@?#&=%2F4aA.-_ é\x00"
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(30)))
        _outcome(parse_purl, text)  # anything but ValueError propagates and fails the test


# --- purl → OSV ---------------------------------------------------------------------------------------------

# name: (purl, (ecosystem, name) or None)
OSV_CASES: dict[str, tuple[str, tuple[str, str] | None]] = {
    "pypi": ("pkg:pypi/Django@3.2.4", ("PyPI", "django")),
    "npm": ("pkg:npm/lodash@4.17.21", ("npm", "lodash")),
    "npm scoped": ("pkg:npm/%40angular/core@12.2.0", ("npm", "@angular/core")),
    "npm scope written without @": ("pkg:npm/babel/core@7.0.0", ("npm", "@babel/core")),
    "npm scope inside the name": ("pkg:npm/%40gar%2Fpromisify@1.1.3", ("npm", "@gar/promisify")),
    "golang": ("pkg:golang/github.com/gorilla/mux@v1.8.0", ("Go", "github.com/gorilla/mux")),
    "golang mixed case": (
        "pkg:golang/github.com/BurntSushi/toml@v1.3.2",
        ("Go", "github.com/BurntSushi/toml"),
    ),
    "golang stdlib": ("pkg:golang/stdlib@1.21.0", ("Go", "stdlib")),
    "cargo": ("pkg:cargo/rustls@0.23.13", ("crates.io", "rustls")),
    "maven": (
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
        ("Maven", "org.apache.logging.log4j:log4j-core"),
    ),
    "nuget": ("pkg:nuget/Newtonsoft.Json@12.0.3", ("NuGet", "Newtonsoft.Json")),
    "gem": ("pkg:gem/rails@6.1.0", ("RubyGems", "rails")),
    "composer": ("pkg:composer/laravel/framework@8.0.0", ("Packagist", "laravel/framework")),
    "pub": ("pkg:pub/characters@1.2.0", ("Pub", "characters")),
    "cran": ("pkg:cran/A3@1.0.0", ("CRAN", "A3")),
    "hackage": ("pkg:hackage/AC-HalfInteger@1.2.1", ("Hackage", "AC-HalfInteger")),
    "hex": ("pkg:hex/jason@1.1.2", ("Hex", "jason")),
    "swift": (
        "pkg:swift/github.com/Alamofire/Alamofire@5.4.3",
        ("SwiftURL", "github.com/Alamofire/Alamofire"),
    ),
    "conan": ("pkg:conan/openssl@3.0.3", ("ConanCenter", "openssl")),
    "bitnami": ("pkg:bitnami/wordpress@6.2.0?distro=debian-12", ("Bitnami", "wordpress")),
    "deb debian-12": ("pkg:deb/debian/curl@7.88.1-10?distro=debian-12", ("Debian:12", "curl")),
    "deb debian-12.5": ("pkg:deb/debian/curl@7.88.1-10?distro=debian-12.5", ("Debian:12", "curl")),
    "deb bookworm": ("pkg:deb/debian/curl@7.88.1-10?distro=bookworm", ("Debian:12", "curl")),
    "deb trixie": ("pkg:deb/debian/curl@8.14.1-2?distro=trixie", ("Debian:13", "curl")),
    "deb bullseye": ("pkg:deb/debian/curl@7.74.0-1.3?distro=bullseye", ("Debian:11", "curl")),
    "deb buster": ("pkg:deb/debian/curl@7.64.0-4?distro=buster", ("Debian:10", "curl")),
    "deb stretch": ("pkg:deb/debian/curl@7.52.1-5?distro=stretch", ("Debian:9", "curl")),
    "deb jessie": ("pkg:deb/debian/curl@7.50.3-1?distro=jessie", ("Debian:8", "curl")),
    "deb debian-9": ("pkg:deb/debian/adduser@3.115?arch=all&distro=debian-9", ("Debian:9", "adduser")),
    "deb no distro": ("pkg:deb/debian/curl@7.88.1-10", ("Debian", "curl")),
    "deb unusable distro": ("pkg:deb/debian/curl@7.88.1-10?distro=sid", ("Debian", "curl")),
    "deb distro of another family": ("pkg:deb/debian/curl@7.88.1-10?distro=ubuntu-22.04", ("Debian", "curl")),
    "deb ubuntu-22.04": ("pkg:deb/ubuntu/bash@5.1-6ubuntu1?distro=ubuntu-22.04", ("Ubuntu:22.04", "bash")),
    "deb ubuntu point release": (
        "pkg:deb/ubuntu/bash@5.1-6ubuntu1?distro=ubuntu-22.04.3",
        ("Ubuntu:22.04", "bash"),
    ),
    "deb jammy": ("pkg:deb/ubuntu/bash@5.1-6ubuntu1?distro=jammy", ("Ubuntu:22.04", "bash")),
    "deb focal": ("pkg:deb/ubuntu/pcre3@2:8.39-12ubuntu0.1?distro=focal", ("Ubuntu:20.04", "pcre3")),
    "deb noble": ("pkg:deb/ubuntu/bash@5.2.21-2ubuntu4?distro=noble", ("Ubuntu:24.04", "bash")),
    "deb ubuntu no distro": ("pkg:deb/ubuntu/bash@5.1-6ubuntu1", ("Ubuntu", "bash")),
    "deb without namespace, ubuntu distro": (
        "pkg:deb/bash@5.1-6ubuntu1?distro=jammy",
        ("Ubuntu:22.04", "bash"),
    ),
    "deb without namespace": ("pkg:deb/bash@5.2.15-2", ("Debian", "bash")),
    "deb other vendor": ("pkg:deb/raspbian/bash@5.2.15-2", None),
    "apk alpine-3.18.4": (
        "pkg:apk/alpine/busybox@1.36.1-r5?distro=alpine-3.18.4",
        ("Alpine:v3.18", "busybox"),
    ),
    "apk bare release": ("pkg:apk/alpine/zlib@1.2.12-r1?distro=3.22.0", ("Alpine:v3.22", "zlib")),
    "apk v-prefixed release": ("pkg:apk/alpine/zlib@1.2.12-r1?distro=v3.19", ("Alpine:v3.19", "zlib")),
    "apk edge": ("pkg:apk/alpine/zlib@1.3.1-r2?distro=alpine-edge", ("Alpine", "zlib")),
    "apk no distro": ("pkg:apk/alpine/zlib@1.2.12-r1", ("Alpine", "zlib")),
    "apk wolfi": ("pkg:apk/wolfi/jq@1.6-r3", ("Wolfi", "jq")),
    "apk chainguard": ("pkg:apk/chainguard/jq@1.6-r3", ("Chainguard", "jq")),
    "apk other vendor": ("pkg:apk/openwrt/jq@1.6-r3", None),
    "rpm redhat": ("pkg:rpm/redhat/openssl@3.0.7-24.el9", ("Red Hat", "openssl")),
    "rpm rhel": ("pkg:rpm/rhel/openssl@3.0.7-24.el9?distro=rhel-9.3", ("Red Hat", "openssl")),
    "rpm rocky": ("pkg:rpm/rocky/bash@5.1.8-6.el9", ("Rocky Linux", "bash")),
    "rpm rocky with distro": ("pkg:rpm/rocky/bash@5.1.8-6.el9?distro=rocky-9.3", ("Rocky Linux:9", "bash")),
    "rpm almalinux with distro": (
        "pkg:rpm/almalinux/bash@5.1.8-6.el9?distro=almalinux-9.3",
        ("AlmaLinux:9", "bash"),
    ),
    "rpm almalinux": ("pkg:rpm/almalinux/bash@5.1.8-6.el9", ("AlmaLinux", "bash")),
    "rpm opensuse": ("pkg:rpm/opensuse/bash@5.2.15-1.1", ("openSUSE", "bash")),
    "rpm opensuse-leap": (
        "pkg:rpm/opensuse-leap/bash@4.4-150400.27.3.2?distro=opensuse-leap-15.4",
        ("openSUSE", "bash"),
    ),
    "rpm suse": ("pkg:rpm/suse/bash@4.4-150400.27.3.2", ("SUSE", "bash")),
    "rpm sles": ("pkg:rpm/sles/bash@4.4-150400.27.3.2?distro=sles-15.4", ("SUSE", "bash")),
    "rpm fedora": ("pkg:rpm/fedora/curl@7.76.1-26.fc34", None),
    "rpm centos": ("pkg:rpm/centos/curl@7.29.0-59.el7", None),
    "rpm without vendor": ("pkg:rpm/curl@7.29.0-59.el7", None),
    "generic": ("pkg:generic/openssl@1.1.1", None),
    "docker": ("pkg:docker/library/python@3.12", None),
    "github": ("pkg:github/package-url/purl-spec@244fd47e07d1004", None),
    "oci": ("pkg:oci/debian@sha256%3A244fd47e07d10", None),
}


@pytest.mark.parametrize(("purl", "expected"), list(OSV_CASES.values()), ids=list(OSV_CASES))
def test_to_osv(purl: str, expected: tuple[str, str] | None) -> None:
    assert to_osv(parse_purl(purl)) == expected


# name: (purl, fallback version, expected OSV version)
VERSION_CASES: dict[str, tuple[str, str | None, str | None]] = {
    "purl version": ("pkg:npm/lodash@4.17.21", None, "4.17.21"),
    "purl version wins over the fallback": ("pkg:npm/lodash@4.17.21", "4.0.0", "4.17.21"),
    "fallback when the purl has none": ("pkg:npm/lodash", "4.0.0", "4.0.0"),
    "neither": ("pkg:npm/lodash", None, None),
    "deb epoch qualifier": ("pkg:deb/debian/libc6@2.36-9?epoch=1", None, "1:2.36-9"),
    "deb epoch qualifier on the fallback": ("pkg:deb/debian/libc6?epoch=1", "2.36-9", "1:2.36-9"),
    "deb epoch already in the version": (
        "pkg:deb/ubuntu/pcre3@2%3A8.39-12ubuntu0.1?epoch=2",
        None,
        "2:8.39-12ubuntu0.1",
    ),
    "rpm epoch qualifier": ("pkg:rpm/redhat/openssl@3.0.7-24.el9?epoch=1", None, "1:3.0.7-24.el9"),
    "epoch ignored for other types": ("pkg:npm/lodash@4.17.21?epoch=1", None, "4.17.21"),
}


@pytest.mark.parametrize(("purl", "fallback", "expected"), list(VERSION_CASES.values()), ids=list(VERSION_CASES))
def test_osv_version(purl: str, fallback: str | None, expected: str | None) -> None:
    assert osv_version(parse_purl(purl), fallback) == expected
