"""Putting a site in place: all or nothing, and only the files that changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from build_tools import parallel, sitesync


def _build(
    site: Path, state: Path | None, files: dict[str, bytes], background: bool = False
) -> sitesync.SiteSync:
    with sitesync.SiteSync(site, state, background=background) as sync:
        for path, data in files.items():
            sync.add(path, data)
        sync.commit()
    return sync


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


FIRST = {"index.html": b"<p>1</p>", "a/x.html": b"x", "a/y.html": b"y", "old/gone.txt": b"gone"}
SECOND = {"index.html": b"<p>2</p>", "a/x.html": b"x", "a/y.html": b"y", "a/z.html": b"z"}


def test_a_second_build_moves_only_changed_files_and_deletes_the_others(tmp_path: Path) -> None:
    site, state = tmp_path / "site", tmp_path / "cache" / "site.json"
    first = _build(site, state, FIRST)
    assert not first.incremental and _tree(site) == FIRST
    kept = (site / "a" / "x.html").stat()
    second = _build(site, state, SECOND)
    assert second.incremental
    assert sorted(second.changed) == ["a/z.html", "index.html"]
    assert _tree(site) == SECOND
    # The unchanged file is the same file, not a copy, and the emptied folder is gone.
    again = (site / "a" / "x.html").stat()
    assert (again.st_ino, again.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)
    assert not (site / "old").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


@pytest.mark.parametrize("background", [False, True])
def test_the_folder_checked_in_the_background_gives_the_same_builds(
    tmp_path: Path, background: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    forked: list[int] = []
    real = sitesync._Check.__init__

    def spy(self: sitesync._Check, *args: object) -> None:
        real(self, *args)  # type: ignore[arg-type]
        forked.append(self.pid)

    monkeypatch.setattr(sitesync._Check, "__init__", spy)
    site, state = tmp_path / "site", tmp_path / "cache" / "site.json"
    _build(site, state, FIRST, background)
    second = _build(site, state, SECOND, background)
    assert second.incremental and sorted(second.changed) == ["a/z.html", "index.html"]
    (site / "a" / "x.html").write_bytes(b"edited by hand")
    third = _build(site, state, FIRST, background)
    assert not third.incremental and _tree(site) == FIRST
    # A check ran in another process for each build that had a manifest to check.
    assert len(forked) == (2 if background and parallel.can_fork() else 0)


def test_a_site_edited_by_hand_is_rebuilt_whole(tmp_path: Path) -> None:
    site, state = tmp_path / "site", tmp_path / "state.json"
    _build(site, state, FIRST)
    (site / "a" / "x.html").write_bytes(b"edited by hand")
    (site / "stray.txt").write_bytes(b"not ours")
    again = _build(site, state, FIRST)
    assert not again.incremental
    assert _tree(site) == FIRST


@pytest.mark.parametrize(
    "damage",
    [
        lambda files: files.update({"index.html": ["8", 0, "x"]}),
        lambda files: files.update({"index.html": [8]}),
        lambda files: files.update({"index.html": None}),
        lambda files: files.pop("index.html"),
        lambda files: files.update({"extra.html": [1, 1, "x"]}),
        lambda files: files.clear() or files.update({"x": 1}),
    ],
)
def test_a_malformed_manifest_makes_a_whole_build(tmp_path: Path, damage: object) -> None:
    import json

    site, state = tmp_path / "site", tmp_path / "state.json"
    _build(site, state, FIRST)
    data = json.loads(state.read_text(encoding="utf-8"))
    assert data["files"]["index.html"][0] == len(FIRST["index.html"])
    damage(data["files"])  # type: ignore[operator]
    state.write_text(json.dumps(data), encoding="utf-8")
    again = _build(site, state, SECOND)
    assert not again.incremental
    assert _tree(site) == SECOND


def test_without_a_manifest_every_build_is_whole_and_keeps_none(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build(site, None, FIRST)
    assert not _build(site, None, SECOND).incremental
    assert _tree(site) == SECOND


def test_a_failed_build_leaves_the_site_and_its_manifest(tmp_path: Path) -> None:
    site, state = tmp_path / "site", tmp_path / "state.json"
    _build(site, state, FIRST)
    with pytest.raises(RuntimeError), sitesync.SiteSync(site, state) as sync:
        sync.add("index.html", b"half")
        raise RuntimeError("personal data found")
    assert _tree(site) == FIRST
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []
    assert _build(site, state, SECOND).incremental


def test_an_interrupted_commit_makes_the_next_build_whole(tmp_path: Path) -> None:
    site, state = tmp_path / "site", tmp_path / "state.json"
    _build(site, state, FIRST)
    # A commit removes the manifest first and writes the new one last.
    state.unlink()
    assert not _build(site, state, SECOND).incremental


def test_files_named_by_their_inputs_are_kept_without_being_read(tmp_path: Path) -> None:
    site, state = tmp_path / "site", tmp_path / "state.json"
    with sitesync.SiteSync(site, state) as sync:
        sync.add("a/x.png", b"baked", digest="inputs-1")
        sync.commit()
    with sitesync.SiteSync(site, state) as sync:
        assert sync.unchanged("a/x.png", "inputs-1")
        assert not sync.unchanged("a/x.png", "inputs-2")
        sync.commit()
    assert _tree(site) == {"a/x.png": b"baked"}


def test_a_unit_is_unchanged_only_if_all_its_files_are_and_keeps_those_that_are(
    tmp_path: Path,
) -> None:
    site, state = tmp_path / "site", tmp_path / "state.json"
    with sitesync.SiteSync(site, state) as sync:
        sync.add("a/x.png", b"baked x", digest="unit-x")
        sync.add("a/x.html", b"page x", digest="unit-x")
        sync.add("a/y.png", b"baked y", digest="unit-y")
        sync.commit()
    with sitesync.SiteSync(site, state) as sync:
        assert sync.unchanged_unit(["a/x.png", "a/x.html"], "unit-x")
        # One file made from other inputs, one new: the unit is made again, but the file
        # that still matches is kept until it is written anew.
        assert not sync.unchanged_unit(["a/y.png", "a/y.html"], "unit-y")
        assert not sync.unchanged_unit(["a/x.png"], "unit-y")
        assert set(sync.files) == {"a/x.png", "a/x.html", "a/y.png"}
    with sitesync.SiteSync(site, None) as sync:
        assert not sync.unchanged_unit(["a/x.png"], "unit-x")


def test_manifests_of_two_site_folders_do_not_mix(tmp_path: Path) -> None:
    cache_folder = tmp_path / "cache"
    one = sitesync.state_file(cache_folder, tmp_path / "one")
    two = sitesync.state_file(cache_folder, tmp_path / "two")
    assert one != two and sitesync.state_file(None, tmp_path / "one") is None
    _build(tmp_path / "one", one, FIRST)
    assert sitesync.Manifest.load(one, tmp_path / "two") is None


def test_a_file_that_becomes_a_folder_and_back(tmp_path: Path) -> None:
    site, state = tmp_path / "site", tmp_path / "state.json"
    _build(site, state, {"x": b"file", "y/z": b"in a folder"})
    assert _build(site, state, {"x/inner": b"now a folder", "y": b"now a file"}).incremental
    assert _tree(site) == {"x/inner": b"now a folder", "y": b"now a file"}


def test_a_whole_build_replaces_the_site_only_on_success(tmp_path: Path) -> None:
    """Without a manifest, the whole site is staged and swapped in, or left as it was."""
    site = tmp_path / "site"
    _build(site, None, {"index.html": b"v1"})
    assert (site / "index.html").read_text() == "v1"
    with pytest.raises(RuntimeError), sitesync.SiteSync(site, None) as sync:
        sync.add("index.html", b"half")
        raise RuntimeError("build failed")
    assert (site / "index.html").read_text() == "v1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    _build(site, None, {"index.html": b"v2"})
    assert (site / "index.html").read_text() == "v2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_folders_made_to_hold_a_site_that_never_came_are_removed(tmp_path: Path) -> None:
    site = tmp_path / "out" / "sites" / "site"
    with sitesync.SiteSync(site, tmp_path / "state.json", background=True) as sync:
        sync.add("index.html", b"<p>1</p>")
        # The build fails here (bad input, personal data found): nothing is committed.
    assert list(tmp_path.iterdir()) == []
    _build(site, tmp_path / "state.json", FIRST)
    assert _tree(site) == FIRST
    # A folder that was there before the build is left, even empty.
    (tmp_path / "kept").mkdir()
    with sitesync.SiteSync(tmp_path / "kept" / "new" / "site", None):
        pass
    assert {p.name for p in tmp_path.iterdir()} == {"kept", "out", "state.json"}
    assert list((tmp_path / "kept").iterdir()) == []


def test_a_build_that_stops_early_only_reaps_the_folder_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, state = tmp_path / "site", tmp_path / "state.json"
    _build(site, state, FIRST)
    parsed: list[bytes] = []
    real = sitesync.Manifest.parse

    def spy(content: bytes, site_dir: Path) -> dict[str, sitesync.Known] | None:
        parsed.append(content)  # In this process only: the forked check's calls stay there.
        return real(content, site_dir)

    monkeypatch.setattr(sitesync.Manifest, "parse", staticmethod(spy))
    with sitesync.SiteSync(site, state, background=True):
        pass  # Refused before it needed the verdict (bad input found while loading).
    assert parsed == ([] if parallel.can_fork() else [state.read_bytes()])
    with sitesync.SiteSync(site, state, background=True) as sync:
        assert sync.incremental
    assert len(parsed) == (1 if parallel.can_fork() else 2)
