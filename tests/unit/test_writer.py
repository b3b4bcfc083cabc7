from __future__ import annotations

import os
from pathlib import Path

import pytest

from build_tools import writer
from build_tools.writer import safe_target, write_files


def test_write_files_creates_folders(tmp_path: Path) -> None:
    write_files(tmp_path, {"a/b/c.json": "{}", "d.png": b"\x89PNG"})
    assert (tmp_path / "a/b/c.json").read_text() == "{}"
    assert (tmp_path / "d.png").read_bytes() == b"\x89PNG"


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", "a/../../x", ""])
def test_unsafe_site_paths_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(ValueError, match="unsafe"):
        safe_target(tmp_path, path)


def test_atomic_writes_leave_ordinary_file_modes(tmp_path: Path) -> None:
    import os
    import stat

    from build_tools.writer import shared_file_mode, write_text_atomically

    target = tmp_path / "profile.yaml"
    write_text_atomically(target, "name: x\n")
    assert target.read_text() == "name: x\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == shared_file_mode()
    assert shared_file_mode() & 0o044  # Readable by the team, unlike mkstemp's 0600.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["profile.yaml"]


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside", "a/../../b", "", "./", "a/.."])
def test_the_fast_writer_refuses_what_safe_target_refuses(tmp_path: Path, path: str) -> None:
    with pytest.raises(ValueError):
        writer.write_file(str(tmp_path), path, b"x", set())


def test_the_fast_writer_makes_folders_and_ordinary_modes(tmp_path: Path) -> None:
    made: set[str] = set()
    stat = writer.write_file(str(tmp_path), "a/b/c.html", b"<p>", made)
    assert (tmp_path / "a" / "b" / "c.html").read_bytes() == b"<p>" and stat.st_size == 3
    assert stat.st_mode & 0o777 == writer.shared_file_mode()
    writer.write_file(str(tmp_path), "a/b/c.html", b"", made)
    assert (tmp_path / "a" / "b" / "c.html").read_bytes() == b""


def _open_descriptors() -> set[int]:
    return {int(name) for name in os.listdir("/proc/self/fd")}


def test_files_created_together_are_filled_later_with_their_bytes(tmp_path: Path) -> None:
    made: set[str] = set()
    paths = ["a/x.html", "a/x.json", "b/y.png"]
    before = _open_descriptors()
    descriptors = writer.create_all(str(tmp_path), paths, made)
    # Created and empty, not yet written: the step that the workers' lock covers.
    assert [(tmp_path / p).read_bytes() for p in paths] == [b"", b"", b""]
    stats = writer.fill_all(descriptors, [b"<p>", b"{}", b"\x89PNG"])
    assert [(tmp_path / p).read_bytes() for p in paths] == [b"<p>", b"{}", b"\x89PNG"]
    assert [s.st_size for s in stats] == [3, 2, 4]
    assert _open_descriptors() == before
    # Without their stats (a build that keeps no manifest).
    descriptors = writer.create_all(str(tmp_path), paths, made)
    assert writer.fill_all(descriptors, [b"1", b"22", b"333"], stat=False) == []
    assert [(tmp_path / p).read_bytes() for p in paths] == [b"1", b"22", b"333"]
    assert _open_descriptors() == before


def test_a_path_refused_midway_leaves_no_file_open(tmp_path: Path) -> None:
    before = _open_descriptors()
    with pytest.raises(ValueError, match="unsafe"):
        writer.create_all(str(tmp_path), ["a/ok.html", "../escape.html"], set())
    assert _open_descriptors() == before


def test_a_failed_fill_closes_every_file(tmp_path: Path) -> None:
    before = _open_descriptors()
    descriptors = writer.create_all(str(tmp_path), ["a.txt", "b.txt", "c.txt"], set())
    with pytest.raises(TypeError):
        writer.fill_all(descriptors, [b"a", "not bytes", b"c"])  # type: ignore[list-item]
    assert _open_descriptors() == before
    for stat in (True, False):
        descriptors = writer.create_all(str(tmp_path), ["a.txt", "b.txt", "c.txt"], set())
        with pytest.raises(TypeError):
            writer.fill_all(descriptors, [b"a", "no", b"c"], stat=stat)  # type: ignore[list-item]
        assert _open_descriptors() == before
    with pytest.raises(ValueError, match="2 contents"):
        writer.fill_all(writer.create_all(str(tmp_path), ["d.txt"] * 3, set()), [b"d", b"d"])
    assert _open_descriptors() == before
