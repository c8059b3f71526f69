"""The report folder: renders a :class:`~designs.planning.report_plan.ReportPlan` into files.

Tables (Markdown, CSV, LaTeX), operating characteristics (Markdown, JSON), the realism
sensitivity, the power sweep (netCDF), figures (PNG) and ``methods.md``. Nothing here
simulates: :func:`designs.planning.report_plan.plan_report` computed it all.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
from pathlib import Path

from designs.atomic import check_folder_can_be_made, check_name_length, make_writable_folder
from designs.errors import InputError
from designs.outputs import figures
from designs.outputs.methods import METHODS_TITLE, methods_text
from designs.outputs.tables import (
    operating_characteristics_md,
    realism_sensitivity_md,
    sample_size_table,
)

#: Every file a report folder can hold (stale ones from an earlier run are removed).
REPORT_FILES = (
    "sample_size.md",
    "sample_size.csv",
    "sample_size.tex",
    "operating_characteristics.md",
    "operating_characteristics.json",
    "realism_sensitivity.md",
    "power_sweep.nc",
    "power_curve.png",
    "posterior_effect.png",
    "assurance_curve.png",
    "assurance.json",
    "methods.md",
    "design.toml",
)


def _earlier_report(out_dir: Path) -> bool:
    methods = out_dir / "methods.md"
    try:
        with open(methods, encoding="utf-8") as f:
            return f.readline().strip() == METHODS_TITLE
    except (OSError, UnicodeDecodeError):
        return False


def check_report_folder(out_dir, option: str = "--out", *, inputs=(), force: bool = False) -> Path:
    """``out_dir`` as a Path, if it is (or can become) a folder whose parent is writable and
    a report may be written into it without losing anything of the user's.

    A file in ``out_dir`` with the name of a report file is replaced only if the folder holds
    an earlier report (or with ``force``), and never when it is one of the command's
    ``inputs`` (``(option, path)`` pairs). Called before any simulation, so a bad folder is
    refused at once.
    """
    out_dir = Path(out_dir)
    if out_dir.is_dir():
        present = [out_dir / n for n in REPORT_FILES if (out_dir / n).exists()]
        for f in present:
            for name, given in inputs:
                if given is not None and Path(given).is_file() and os.path.samefile(f, given):
                    raise InputError(
                        f"{option} {out_dir}: its {f.name} is also this command's input "
                        f"({name}); choose another folder"
                    )
        if present and not force and not _earlier_report(out_dir):
            raise InputError(
                f"{option} {out_dir}: holds {present[0].name}, not from an earlier report; "
                "give --force to replace such files, or choose another folder"
            )
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{option} {out_dir}: exists and is not a folder")
    check_folder_can_be_made(out_dir.parent, option, out_dir)
    check_name_length(out_dir, option)
    return out_dir


def _temporary_folder(out_dir: Path) -> Path:
    """A new, empty folder beside ``out_dir`` for the files being rendered.

    Its name carries this process's id (``.NAME.report-PID-XXXXXXXX``), so a later run can
    tell the folder of a killed run (its process is gone) and remove it first.
    """
    parent = make_writable_folder(out_dir.parent, "--out", out_dir)
    prefix = f".{out_dir.name}.report-"
    for old in parent.glob(f"{glob.escape(prefix)}*"):
        pid = old.name[len(prefix) :].split("-", 1)[0]
        if old.is_dir() and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))


def _running(pid: int) -> bool:
    """True when a process ``pid`` exists (ours or another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _render(plan, tmp: Path) -> None:
    """Write every file of ``plan`` into the folder ``tmp``."""
    design, result = plan.design, plan.sample_size
    for fmt, ext in (("md", "md"), ("csv", "csv"), ("latex", "tex")):
        (tmp / f"sample_size.{ext}").write_text(sample_size_table(result, design, fmt))
    oc = plan.operating
    (tmp / "operating_characteristics.md").write_text(operating_characteristics_md(oc, design))
    (tmp / "operating_characteristics.json").write_text(json.dumps(oc, indent=2) + "\n")
    (tmp / "realism_sensitivity.md").write_text(
        realism_sensitivity_md(plan.realism, design, plan.realism_n, plan.trials, plan.seed)
    )
    plan.power_sweep.to_netcdf(tmp / "power_sweep.nc", engine="h5netcdf")
    figures.power_curve_png(
        plan.power_sweep, tmp / "power_curve.png", targets=plan.targets, analysis=plan.analysis
    )
    if plan.assurance is not None:
        fixed = design.effect.value if design.effect.kind.value == "proportional_slowing" else None
        figures.posterior_effect_png(
            plan.posterior_effect,
            tmp / "posterior_effect.png",
            design_effect=fixed,
            seed=plan.posterior_attrs.get("seed"),
        )
        figures.assurance_curve_png(
            plan.assurance_curves, tmp / "assurance_curve.png", targets=plan.targets, seed=plan.seed
        )
        (tmp / "assurance.json").write_text(
            json.dumps(
                {
                    str(n): {tr: a.to_dict() for tr, a in v.items()}
                    for n, v in plan.assurance.items()
                },
                indent=2,
                default=float,
            )
            + "\n"
        )
    (tmp / "methods.md").write_text(
        methods_text(design, result, oc, plan.assurance, plan.posterior_attrs, plan.undefined_draws)
    )
    (tmp / "design.toml").write_text(design.to_toml())


def write_report(plan, out_dir, *, force: bool = False) -> list[Path]:
    """Write the report folder of ``plan``; returns the files written.

    Files are made in a temporary folder beside ``out_dir`` and moved in only when all are
    done, so an interrupted report leaves no half-written file; files an earlier report
    left in ``out_dir`` that this one does not write are removed.

    Parameters
    ----------
    plan : designs.planning.report_plan.ReportPlan
    out_dir : path
        Folder to write into (created).
    """
    out_dir = check_report_folder(out_dir, force=force)
    tmp = _temporary_folder(out_dir)
    try:
        _render(plan, tmp)
        out_dir.mkdir(exist_ok=True)
        for name in REPORT_FILES:
            if not (tmp / name).exists():
                (out_dir / name).unlink(missing_ok=True)
        written = []
        for f in sorted(tmp.iterdir()):
            os.replace(f, out_dir / f.name)
            written.append(out_dir / f.name)
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
