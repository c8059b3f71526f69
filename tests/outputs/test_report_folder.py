"""The report's folder is checked before any simulation (designs.outputs.report.
check_report_folder)."""

import tempfile

import pytest

from designs.errors import InputError
from designs.outputs.report import check_report_folder


def test_an_existing_folder_that_cannot_be_written_is_refused_up_front(tmp_path, monkeypatch):
    """A reliability review: ``report --out`` naming an existing read-only folder simulated
    for 15 s, then failed on the first file moved in (exit 1). Only the parent was checked.
    A read-only folder is played here by a folder in which no file can be made (as root
    cannot be denied by permissions; a read-only mount gives the same refusal)."""
    out = tmp_path / "report"
    out.mkdir()
    real = tempfile.TemporaryFile

    def refusing(*args, dir=None, **kwargs):
        if dir is not None and str(dir) == str(out):
            raise OSError(30, "Read-only file system")
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", refusing)
    with pytest.raises(InputError, match=r"^--out .*report: folder .*report is not writable"):
        check_report_folder(out)
    assert check_report_folder(tmp_path / "new") == tmp_path / "new"  # the parent can be
