"""The report download: a zip whose every member is, byte for byte, the file that
``simulate.py report`` writes for the same design, seed and options, and whose bytes depend on
nothing but those files (sorted names, a fixed time stamp)."""

from __future__ import annotations

import io
import zipfile

import pytest

from designs.explorer import compute
from designs.spec import load_design


def test_the_zip_depends_only_on_its_members():
    """Names sorted, every time stamp and permission fixed: the same members give the same
    bytes (a zip made with ``ZipFile.write`` took each file's modification time)."""
    members = {"report/b.md": b"b\n", "report/a.png": bytes(range(256)) * 40}
    first = compute.deterministic_zip(members)
    assert compute.deterministic_zip(dict(reversed(members.items()))) == first
    z = zipfile.ZipFile(io.BytesIO(first))
    assert z.namelist() == ["report/a.png", "report/b.md"]
    for info in z.infolist():
        assert info.date_time == compute.ZIP_DATE
        assert info.external_attr >> 16 == 0o100644
        assert z.read(info) == members[info.filename]


@pytest.mark.slow  # about 25 s of CPU: a small report twice (page, command line)
def test_every_member_is_the_file_the_command_line_writes(cli, tmp_path):
    """Each member of the page's zip equals the file of ``simulate.py report`` for the same
    design, seed and trials, searched in one stage as the page searches (without the phase 2
    parts, to keep the test short: the page's zip with them is the same function with the
    same posterior), PNG and PDF included; the command line's files also record the command
    that made them (README.md's "Made with" line, the JSON's ``command``), which the page's,
    made by no command, leave out."""
    design = load_design().with_overrides({"trial.n_per_arm": 20})
    data = compute.report_zip(design, 4, 10, False)
    out = tmp_path / "report"
    cli("report", "--out", str(out), "--set", "trial.n_per_arm=20", "--trials", "10",
        "--seed", "4", "--no-assurance", "--refine-trials", "0")  # fmt: skip
    written = sorted(p.name for p in out.iterdir())
    z = zipfile.ZipFile(io.BytesIO(data))
    assert z.namelist() == [f"report/{name}" for name in written]
    assert any(n.endswith(".png") for n in written) and any(n.endswith(".pdf") for n in written)
    for name in written:
        if name == "SHA256SUMS":  # the checksums of the page's own files (the command's
            continue  # README and JSON differ by their command): checked below
        if name == "power_sweep.nc":  # its attributes record the command too
            _same_sweep_but_command(z.read(f"report/{name}"), out / name)
            continue
        assert z.read(f"report/{name}") == _without_command(name, (out / name).read_bytes()), name
    import hashlib

    sums = dict(
        reversed(line.split("  ", 1)) for line in z.read("report/SHA256SUMS").decode().splitlines()
    )
    assert sorted(sums) == [n for n in written if n != "SHA256SUMS"]
    for name, digest in sums.items():
        assert hashlib.sha256(z.read(f"report/{name}")).hexdigest() == digest, name
    assert compute.report_zip(design, 4, 10, False) == data  # cached: the same bytes


def _same_sweep_but_command(page: bytes, written) -> None:
    """The page's power_sweep.nc is the command line's, which also records its command."""
    import xarray as xr

    mine = xr.load_dataset(io.BytesIO(page), engine="h5netcdf")
    theirs = xr.load_dataset(written, engine="h5netcdf")
    assert "command" not in mine.attrs
    assert theirs.attrs.pop("command").startswith("python simulate.py report ")
    xr.testing.assert_identical(mine, theirs)


def _without_command(name: str, data: bytes) -> bytes:
    """A command-line report file as the page writes it: without the command's record."""
    import json
    import re

    # the advice to rerun with more trials repeats the command; the page's names none
    data = re.sub(
        rb"e\.g\. python simulate\.py report .*?(--trials \d+ --refine-trials \d+)\)",
        rb"e.g. simulate.py report with this design's options and \1)",
        data,
    )
    if name == "README.md":
        return re.sub(rb"Made with `[^`]*`; on this machine the same command [^\n]*\n\n", b"", data)
    if name == "operating_characteristics.json":
        from designs.outputs.json_text import json_text

        record = json.loads(data)
        assert record.pop("command").startswith("python simulate.py report ")
        return (json_text(record) + "\n").encode()
    return data


@pytest.mark.slow  # about 25 s of CPU: a small report twice (page, command line)
def test_the_download_records_its_command_and_is_that_commands_folder(cli, tmp_path, monkeypatch):
    """An explorer review: the zip named no command (README.md's "Made with" line, the JSON's
    ``command``), so it could not be reproduced. The page's request records the report
    command it shows; that command, run, writes the zip's members byte for byte."""
    import shlex

    from designs.explorer.server import Request

    base = load_design()
    design = base.with_overrides({"trial.n_per_arm": 20})
    command = Request("default", base, design, 4, 10).report_command()
    args = shlex.split(command)[2:]  # after "python simulate.py"
    assert args[0] == "report" and args[-2:] == ["--out", "report"]
    data = compute.report_zip(design, 4, 10, False, command=command + " --no-assurance")
    monkeypatch.chdir(tmp_path)  # the command writes ./report, as typed in a project folder
    cli(*args, "--no-assurance")
    out = tmp_path / "report"
    z = zipfile.ZipFile(io.BytesIO(data))
    written = sorted(p.name for p in out.iterdir())
    assert z.namelist() == [f"report/{name}" for name in written]
    for name in written:
        assert z.read(f"report/{name}") == (out / name).read_bytes(), name
    assert b"Made with `python simulate.py report " in z.read("report/README.md")
