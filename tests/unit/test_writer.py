from __future__ import annotations

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
