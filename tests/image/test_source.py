"""`image.source` on real archives written by the tests: docker-archive (classic and blobs layouts), OCI layout
directories and tars; the same image gives the same metadata and the same layer bytes in every format; gzip,
zstd and plain layers; platform selection; and every broken input is one `InputError` line.
"""

from __future__ import annotations

import gzip
import json
import shutil
import tarfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard

from shiftsec.errors import InputError
from shiftsec.image.source import ImageMeta, ImageSource, open_image, parse_platform
from tests.image.imagebuild import (
    Entry,
    Image,
    build_image,
    docker_archive_files,
    layer,
    layout_files,
    sample_image,
    tar_layer,
    write_docker_archive,
    write_files,
    write_oci_layout,
    write_oci_tar,
    write_tar,
)


def layer_bytes(source: ImageSource) -> list[bytes]:
    out = []
    for ref in source.meta.layers:
        with source.open_layer(ref) as stream:
            out.append(stream.read())
    return out


def history(meta: ImageMeta) -> list[str]:
    return [x.created_by for x in meta.layers]


WRITERS: dict[str, Callable[[Path, Image], Path]] = {
    "docker-archive-classic": lambda d, i: write_docker_archive(d / "image.tar", i),
    "docker-archive-blobs": lambda d, i: write_docker_archive(d / "image.tar", i, layout="blobs"),
    "docker-archive-dir": lambda d, i: write_files(d / "saved", docker_archive_files(i)),
    "oci-dir": lambda d, i: write_oci_layout(d / "layout", i),
    "oci-tar": lambda d, i: write_oci_tar(d / "layout.tar", i),
}


@pytest.mark.parametrize("kind", WRITERS)
def test_every_format_gives_the_same_image(kind: str, tmp_path: Path) -> None:
    image = sample_image()
    with open_image(str(WRITERS[kind](tmp_path, image))) as source:
        meta = source.meta
        assert meta.config_digest == image.config_digest
        assert [x.diff_id for x in meta.layers] == image.diff_ids
        assert history(meta) == ["ADD alpine-minirootfs-3.14 /", "COPY app /app", "RUN rm /etc/os-release"]
        assert meta.platform == "linux/arm/v7"
        assert meta.config["config"]["User"] == "app"
        assert layer_bytes(source) == [x.tar for x in image.layers]
        if kind.startswith("oci"):
            assert meta.manifest_digest == image.manifest_digest
            assert [x.digest for x in meta.layers] == [x.digest for x in image.layers]
            assert [x.size for x in meta.layers] == [len(x.blob) for x in image.layers]
            assert [x.media_type for x in meta.layers] == [x.media_type for x in image.layers]
        else:
            assert meta.manifest_digest is None


def test_compression_told_by_magic_bytes_not_media_type(tmp_path: Path) -> None:
    tar = tar_layer({"etc/hostname": b"box\n"})
    frames = zstandard.ZstdCompressor().compress(tar[:4096]) + zstandard.ZstdCompressor().compress(tar[4096:])
    members = gzip.compress(tar[:1000], mtime=0) + gzip.compress(tar[1000:], mtime=0)
    layers = [
        layer(tar, compression="gzip"),
        layer(tar, compression="zstd", blob=frames),  # several zstd frames
        layer(tar, compression="none", blob=members),  # declared plain, actually multi-member gzip
        layer(tar, compression="none"),
    ]
    image = build_image(layers)
    with open_image(str(write_oci_layout(tmp_path / "l", image))) as source:
        kinds = []
        for ref in source.meta.layers:
            with source.open_layer(ref) as stream:
                assert stream.read() == tar
                kinds.append(stream.compression)  # type: ignore[attr-defined]
    assert kinds == ["gzip", "zstd", "gzip", "none"]


def test_layer_is_a_stream_readable_by_tarfile(tmp_path: Path) -> None:
    image = sample_image()
    with open_image(str(write_oci_tar(tmp_path / "i.tar", image))) as source, \
            source.open_layer(source.meta.layers[0]) as stream, tarfile.open(fileobj=stream, mode="r|") as archive:
        names = [m.name for m in archive]
    assert "etc/alpine-release" in names and "lib/apk/db/installed" in names


def test_layers_of_a_tar_read_concurrently(tmp_path: Path) -> None:
    image = build_image([layer(tar_layer({f"f{i}": bytes([i]) * 300_000}), compression=c)
                         for i, c in enumerate(["gzip", "zstd", "none", "gzip"])])
    results: dict[int, bytes] = {}
    with open_image(str(write_oci_tar(tmp_path / "i.tar", image))) as source:
        def read(i: int) -> None:
            with source.open_layer(source.meta.layers[i]) as stream:
                chunks = []
                while chunk := stream.read(7000):
                    chunks.append(chunk)
                results[i] = b"".join(chunks)
        threads = [threading.Thread(target=read, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert [results[i] for i in range(4)] == [x.tar for x in image.layers]


# -- platforms ------------------------------------------------------------------------------------------------------

def multi_platform() -> list[Image]:
    return [build_image([layer(tar_layer({"etc/arch": p.encode()}))], platform=p)
            for p in ("linux/amd64", "linux/arm64/v8", "linux/arm/v7", "linux/arm/v6")]


@pytest.mark.parametrize(("wanted", "chosen"), [
    (None, "linux/amd64"),
    ("linux/amd64", "linux/amd64"),
    ("linux/x86_64", "linux/amd64"),
    ("linux/arm64", "linux/arm64/v8"),
    ("linux/aarch64/v8", "linux/arm64/v8"),
    ("linux/arm", "linux/arm/v7"),
    ("linux/arm/v6", "linux/arm/v6"),
])
@pytest.mark.parametrize("fmt", ["dir", "tar"])
def test_platform_selection_in_an_index(wanted: str | None, chosen: str, fmt: str, tmp_path: Path) -> None:
    images = multi_platform()
    path = write_oci_layout(tmp_path / "l", images) if fmt == "dir" else write_oci_tar(tmp_path / "l.tar", images)
    with open_image(str(path), platform=wanted) as source:
        assert source.meta.platform == chosen
        assert layer_bytes(source) == [tar_layer({"etc/arch": chosen.encode()})]
        assert source.meta.manifest_digest == next(i.manifest_digest for i in images if i.platform == chosen)


def test_no_matching_platform_lists_the_available_ones(tmp_path: Path) -> None:
    path = write_oci_layout(tmp_path / "l", multi_platform())
    with pytest.raises(InputError) as caught:
        open_image(str(path), platform="linux/s390x")
    assert "no image for platform linux/s390x" in str(caught.value)
    assert "available: linux/amd64, linux/arm/v6, linux/arm/v7, linux/arm64/v8" in str(caught.value)
    assert "--platform" in (caught.value.hint or "")


def test_the_only_platform_is_taken_without_asking(tmp_path: Path) -> None:
    image = build_image([layer(tar_layer({"x": b"1"}))], platform="linux/arm64/v8")
    path = write_files(tmp_path / "l", layout_files(image, as_index=True))  # one platform behind an index
    with open_image(str(path)) as source:
        assert source.meta.platform == "linux/arm64/v8"
        assert source.meta.manifest_digest == image.manifest_digest


def test_single_image_of_another_platform_is_an_error(tmp_path: Path) -> None:
    path = write_oci_layout(tmp_path / "l", sample_image())
    with open_image(str(path), platform="linux/arm/v7") as source:
        assert source.meta.platform == "linux/arm/v7"
    with pytest.raises(InputError, match=r"single linux/arm/v7 image, not linux/amd64"):
        open_image(str(path), platform="linux/amd64")


@pytest.mark.parametrize("text", ["linux", "linux/", "/amd64", "a/b/c/d"])
def test_malformed_platform(text: str) -> None:
    with pytest.raises(InputError, match="invalid platform"):
        parse_platform(text)


# -- tags inside a layout or archive -----------------------------------------------------------------------------------

def test_tag_selects_an_image_of_a_layout(tmp_path: Path) -> None:
    one, two = sample_image(), build_image([layer(tar_layer({"two": b"2"}))])
    files = layout_files(one, tag="one")
    other = layout_files(two, tag="two")
    index = json.loads(files["index.json"])
    index["manifests"] += json.loads(other["index.json"])["manifests"]
    files.update(other)
    files["index.json"] = json.dumps(index).encode()
    path = write_files(tmp_path / "l", files)
    with open_image(f"{path}:two") as source:
        assert source.meta.config_digest == two.config_digest
    with open_image(f"{path}:one") as source:
        assert source.meta.config_digest == one.config_digest
    with pytest.raises(InputError, match=r"several images: choose one with .*:TAG \(tags: one, two\)"):
        open_image(str(path))
    with pytest.raises(InputError, match=r"no image tagged 'three' \(tags: one, two\)"):
        open_image(f"{path}:three")


def test_tag_selects_an_image_of_a_docker_archive(tmp_path: Path) -> None:
    image = sample_image()
    path = write_docker_archive(tmp_path / "i.tar", image, repo_tag="example.com/app:1.0")
    with open_image(f"{path}:1.0") as source:
        assert source.meta.config_digest == image.config_digest
    with open_image(f"{path}:example.com/app:1.0") as source:
        assert source.meta.config_digest == image.config_digest
    with pytest.raises(InputError, match=r"no image tagged '2\.0'"):
        open_image(f"{path}:2.0")


# -- broken inputs: one line each -------------------------------------------------------------------------------------

def _corrupt_blob(files: dict[str, bytes], digest: str, data: bytes | None) -> None:
    name = f"blobs/sha256/{digest.removeprefix('sha256:')}"
    if data is None:
        del files[name]
    else:
        files[name] = data


def _oci_case(change: Callable[[dict[str, bytes], Image], None]) -> Callable[[Path], Path]:
    def write(tmp: Path) -> Path:
        image = sample_image()
        files = layout_files(image)
        change(files, image)
        return write_files(tmp / "layout", files)
    return write


def _archive_case(change: Callable[[dict[str, bytes], Image], None]) -> Callable[[Path], Path]:
    def write(tmp: Path) -> Path:
        image = sample_image()
        files = docker_archive_files(image)
        change(files, image)
        return write_tar(tmp / "image.tar", files)
    return write


def _drop(name: str) -> Callable[[dict[str, bytes], Image], None]:
    def change(files: dict[str, bytes], image: Image) -> None:
        del files[name]
    return change


def _set(name: str, data: bytes) -> Callable[[dict[str, bytes], Image], None]:
    return lambda files, image: files.__setitem__(name, data)


OPEN_ERRORS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "index.json missing": (_oci_case(_drop("index.json")),
                           "neither an OCI image layout"),
    "index.json not JSON": (_oci_case(_set("index.json", b"{nope")), "index.json is not valid JSON"),
    "index.json a list": (_oci_case(_set("index.json", b"[]")), "index.json is not a JSON object"),
    "index.json nested too deep": (_oci_case(_set("index.json", b"[" * 200_000)), "index.json is not valid JSON"),
    "manifest.json NUL path": (_archive_case(lambda f, i: f.__setitem__("manifest.json", json.dumps(
        [{**json.loads(f["manifest.json"])[0], "Layers": ["a\u0000b"] * 3}]).encode())), "missing"),
    "index.json empty": (_oci_case(_set("index.json", b'{"manifests": []}')), "index.json lists no manifests"),
    "bad layout version": (_oci_case(_set("oci-layout", b'{"imageLayoutVersion": "2.0"}')),
                           "unsupported OCI layout version"),
    "manifest blob missing": (_oci_case(lambda f, i: _corrupt_blob(f, i.manifest_digest, None)),
                              "manifest blob sha256:[0-9a-f]{64} missing"),
    "manifest blob corrupt": (_oci_case(lambda f, i: _corrupt_blob(f, i.manifest_digest, b"{}")),
                              "is corrupt \\(digest mismatch\\)"),
    "config blob missing": (_oci_case(lambda f, i: _corrupt_blob(f, i.config_digest, None)),
                            "config blob sha256:[0-9a-f]{64} missing"),
    "config blob corrupt": (_oci_case(lambda f, i: _corrupt_blob(f, i.config_digest, b"{}")),
                            "config blob .* is corrupt"),
    "bad digest in index": (_oci_case(_set("index.json", b'{"manifests": [{"digest": "sha256:../../x"}]}')),
                            "invalid sha256 digest|invalid digest"),
    "manifest.json missing": (_archive_case(_drop("manifest.json")),
                              "neither an OCI image layout"),
    "manifest.json garbage": (_archive_case(_set("manifest.json", b"\x00\x01")), "manifest.json is not valid JSON"),
    "manifest.json empty": (_archive_case(_set("manifest.json", b"[]")), "manifest.json is not a list of images"),
    "layer escapes": (_archive_case(lambda f, i: f.__setitem__("manifest.json", json.dumps(
        [{**json.loads(f["manifest.json"])[0], "Layers": ["../../etc/passwd"] * 3}]).encode())),
        "points outside the image"),
    "layer missing": (_archive_case(lambda f, i: f.__setitem__("manifest.json", json.dumps(
        [{**json.loads(f["manifest.json"])[0], "Layers": ["nope/layer.tar"] * 3}]).encode())),
        "layer nope/layer.tar missing"),
    "layer count": (_archive_case(lambda f, i: f.__setitem__("manifest.json", json.dumps(
        [{**json.loads(f["manifest.json"])[0], "Layers": []}]).encode())),
        "lists 0 layers, the config 3 diff_ids"),
    "config corrupt": (_archive_case(lambda f, i: f.__setitem__(f"{i.config_digest[7:]}.json", b"{")),
                        "digest mismatch"),
}


@pytest.mark.parametrize("case", OPEN_ERRORS)
def test_broken_inputs_fail_in_one_line(case: str, tmp_path: Path) -> None:
    write, message = OPEN_ERRORS[case]
    path = write(tmp_path)
    with pytest.raises(InputError, match=message) as caught:
        open_image(str(path))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "not a readable tar archive"),
    (b"not a tar at all" * 100, "not a readable tar archive"),
    (gzip.compress(b"x" * 2000), "compressed archive"),
])
def test_files_that_are_not_images(content: bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / "image.tar"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        open_image(str(path))


def test_missing_path() -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        open_image("./does/not/exist.tar")


@pytest.mark.parametrize(("case", "position", "message"), [
    ("truncated gzip", 0, "truncated"),
    ("truncated zstd", 1, "truncated"),
    ("garbage after magic", 0, "corrupt or truncated layer"),
    ("same size other bytes", 2, "digest mismatch"),
    ("longer than declared", 0, "larger than the"),
    ("shorter than declared", 2, "its descriptor declares"),
    ("blob missing", 1, "layer blob sha256:[0-9a-f]{64} missing"),
])
def test_broken_layers_fail_when_read(case: str, position: int, message: str, tmp_path: Path) -> None:
    image = sample_image()
    files = layout_files(image)
    target = image.layers[position]
    name = f"blobs/sha256/{target.digest.removeprefix('sha256:')}"
    blob = target.blob
    if case.startswith("truncated"):
        files[name] = blob[: len(blob) // 2]
    elif case == "garbage after magic":
        files[name] = blob[:2] + bytes(len(blob) - 2)
    elif case == "same size other bytes":
        files[name] = blob.replace(b"notes", b"NOTES")
    elif case == "shorter than declared":
        files[name] = blob[:-512]
    elif case == "longer than declared":
        files[name] = blob + blob
    else:
        del files[name]
    path = write_files(tmp_path / "l", files)
    with open_image(str(path)) as source, pytest.raises(InputError, match=message) as caught, \
            source.open_layer(source.meta.layers[position]) as stream:
        while stream.read(65536):
            pass
    assert "\n" not in str(caught.value)


def test_digest_checked_at_close_when_the_reader_stops_at_the_tar_end(tmp_path: Path) -> None:
    """A tar reader stops at the end-of-archive blocks; the blob's tail is still read and checked at close()."""
    tar = tar_layer({"a": b"a"}) + bytes(3 << 20)  # padding after the end of the archive, as some tools write
    good = layer(tar, compression="none")
    image = build_image([good])
    files = layout_files(image)
    files[f"blobs/sha256/{good.digest.removeprefix('sha256:')}"] = tar[:-1] + b"\1"  # damage only the tail
    path = write_files(tmp_path / "l", files)
    with open_image(str(path)) as source:
        stream = source.open_layer(source.meta.layers[0])
        with tarfile.open(fileobj=stream, mode="r|") as archive:
            assert [m.name for m in archive] == ["a"]
        with pytest.raises(InputError, match="digest mismatch"):
            stream.close()


def test_leaving_with_an_exception_skips_the_check(tmp_path: Path) -> None:
    image = sample_image()
    files = layout_files(image)
    files[f"blobs/sha256/{image.layers[2].digest[7:]}"] = image.layers[2].blob[:-3] + b"xyz"
    path = write_files(tmp_path / "l", files)
    with open_image(str(path)) as source, pytest.raises(KeyError), \
            source.open_layer(source.meta.layers[2]) as stream:
        stream.read(10)
        raise KeyError("consumer gave up")


def test_docker_archive_symlinked_layers_are_followed(tmp_path: Path) -> None:
    """`docker save` writes a layer shared by two images once and symlinks the other `layer.tar` to it."""
    tar = tar_layer({"same": b"1"})
    image = build_image([layer(tar, compression="none"), layer(tar, compression="none")])
    files = docker_archive_files(image)
    names = json.loads(files["manifest.json"])[0]["Layers"]
    del files[names[1]]
    entries = [Entry(n, d) for n, d in files.items()]
    entries.append(Entry(names[1], kind="symlink", linkname=f"../{names[0]}"))
    path = write_tar(tmp_path / "i.tar", entries)
    with open_image(str(path)) as source:
        assert layer_bytes(source) == [tar, tar]


def test_directory_symlink_escape_is_refused(tmp_path: Path) -> None:
    image = sample_image()
    files = docker_archive_files(image)
    path = write_files(tmp_path / "saved", files)
    outside = tmp_path / "outside.tar"
    outside.write_bytes(b"x")
    first = json.loads(files["manifest.json"])[0]["Layers"][0]
    (path / first).unlink()
    (path / first).symlink_to(outside)
    with pytest.raises(InputError, match="outside the image directory"):
        open_image(str(path))


def test_layout_found_through_a_copy(tmp_path: Path) -> None:
    """The layout is read where it is: moving it changes nothing but the reference."""
    path = write_oci_layout(tmp_path / "a", sample_image())
    moved = Path(shutil.copytree(path, tmp_path / "b"))
    with open_image(str(path)) as one, open_image(str(moved)) as two:
        assert one.meta.layers == two.meta.layers
        assert one.meta.reference != two.meta.reference
