"""Atomic output: files and folders appear complete or not at all."""

from __future__ import annotations

import os

import pytest

from registry_tool import atomic
from registry_tool.atomic import AtomicDirectory, atomic_directory, atomic_writer


def _fill(folder: str, name: str, text: str) -> None:
    with open(os.path.join(folder, name), "w") as fh:
        fh.write(text)


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_commit_replaces_an_existing_folder(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(atomic, "_rename_exchange", lambda a, b: False)
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("old")
    folder = AtomicDirectory(str(target))
    _fill(folder.path, "new.txt", "new")
    assert (target / "old.txt").read_text() == "old"  # untouched until commit
    folder.commit()
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_failed_second_rename_puts_the_old_folder_back(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "_rename_exchange", lambda a, b: False)
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("old")
    folder = AtomicDirectory(str(target))
    real_replace = os.replace

    def replace(src, dst):
        if src == folder.path:
            raise OSError("simulated failure")
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(OSError, match="simulated"):
        folder.commit()
    assert sorted(p.name for p in target.iterdir()) == ["old.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_discard_leaves_the_target_alone(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(ValueError):
        with atomic_directory(str(target)) as path:
            _fill(path, "half.txt", "half")
            raise ValueError("stop")
    assert list(tmp_path.iterdir()) == []


def test_writer_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "records.jsonl"
    target.write_text("old")
    target.chmod(0o640)
    with atomic_writer(str(target)) as fh:
        fh.write("new")
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o640


def test_writer_gives_a_new_file_the_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        with atomic_writer(str(tmp_path / "new.json")) as fh:
            fh.write("{}")
    finally:
        os.umask(old)
    assert (tmp_path / "new.json").stat().st_mode & 0o777 == 0o640
