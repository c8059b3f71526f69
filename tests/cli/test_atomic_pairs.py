"""A file and its sidecar (``trial --out``) are written together or not at all: an error
leaves neither, and a Ctrl-C during the renames waits until both are in place (a review:
between two separate renames it could leave a new sidecar beside an old CSV)."""

import os
import signal

import pytest

import designs.atomic as atomic


def test_both_files_land_or_neither(tmp_path):
    a, b = tmp_path / "t.csv", tmp_path / "t.csv.json"
    with atomic.atomic_paths([a, b]) as (ta, tb):
        ta.write_text("csv", encoding="utf-8")
        tb.write_text("json", encoding="utf-8")
    assert a.read_text(encoding="utf-8") == "csv" and b.read_text(encoding="utf-8") == "json"

    with pytest.raises(RuntimeError), atomic.atomic_paths([a, b]) as (ta, tb):
        ta.write_text("new csv", encoding="utf-8")
        raise RuntimeError("the simulation failed")
    assert a.read_text(encoding="utf-8") == "csv" and b.read_text(encoding="utf-8") == "json"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.csv.json"]  # no .part


def test_an_oserror_in_the_block_names_the_file_asked_for(tmp_path):
    a, b = tmp_path / "t.csv", tmp_path / "t.csv.json"
    with pytest.raises(OSError) as info, atomic.atomic_paths([a, b]) as (_, tb):
        raise OSError(28, "No space left on device", str(tb))
    assert info.value.filename == str(b)
    with pytest.raises(OSError) as info, atomic.atomic_paths([a, b]):
        raise OSError(28, "No space left on device")  # no file named: the file (one option)
    assert info.value.filename == str(a)
    assert list(tmp_path.iterdir()) == []


def test_a_ctrl_c_during_the_renames_waits_for_both(tmp_path, monkeypatch):
    a, b = tmp_path / "t.csv", tmp_path / "t.csv.json"
    real_replace = os.replace
    renamed = []

    def replace_then_ctrl_c(src, dst):
        real_replace(src, dst)
        renamed.append(dst)
        if len(renamed) == 1:  # between the two renames
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):  # a signal not held is handled between bytecodes
                pass

    monkeypatch.setattr(atomic.os, "replace", replace_then_ctrl_c)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):  # delivered once both renames are done
            with atomic.atomic_paths([a, b]) as (ta, tb):
                ta.write_text("csv", encoding="utf-8")
                tb.write_text("json", encoding="utf-8")
    finally:
        signal.signal(signal.SIGINT, before)
    assert renamed == [a, b]
    assert a.read_text(encoding="utf-8") == "csv" and b.read_text(encoding="utf-8") == "json"


def test_a_full_disk_with_several_outputs_names_them_all(tmp_path):
    """An operations review: a full disk while writing the figure was blamed on the table
    (the first output), since a failed write names no file. With several outputs and no file
    named, the message names them all; a file the error names is kept."""
    import errno

    table, figure = tmp_path / "s.csv", tmp_path / "s.png"
    with pytest.raises(OSError) as info:
        with atomic.atomic_paths([table, figure], ["--out", "--figure"]):
            raise OSError(errno.ENOSPC, "No space left on device")
    assert info.value.filename == f"{table} or {figure}"
    assert not table.exists() and not figure.exists()
    with pytest.raises(OSError) as info:
        with atomic.atomic_paths([table, figure], ["--out", "--figure"]) as (_, tmp_figure):
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp_figure))
    assert info.value.filename == str(figure)
