"""The report folder: renders a :class:`~designs.planning.report_plan.ReportPlan` into files.

Tables (Markdown, CSV, LaTeX), operating characteristics (Markdown, JSON), the realism
sensitivity, the power sweep (netCDF), figures (vector PDF and 300-dpi PNG), ``methods.md``,
the input design and the design at the chosen size, and a ``README.md`` indexing them. Nothing here
simulates: :func:`designs.planning.report_plan.plan_report` computed it all.
"""

from __future__ import annotations

import errno
import glob
import os
import shutil
import tempfile
from pathlib import Path

from designs.atomic import (
    check_folder_can_be_made,
    check_name_length,
    make_writable_folder,
    signals_held,
    write_netcdf,
)
from designs.errors import InputError
from designs.outputs import figures
from designs.outputs.console import is_illustrative
from designs.outputs.json_text import json_text
from designs.outputs.methods import METHODS_TITLE, METHODS_TITLE_NO_ASSURANCE, methods_text
from designs.outputs.operating_tables import (
    operating_characteristics_md,
    operating_characteristics_tex,
)
from designs.outputs.realism_table import realism_sensitivity_md
from designs.outputs.report_cautions import chosen_cautions, fresh_check_block
from designs.outputs.report_index import (
    chosen_design_header,
    chosen_interim_header,
    input_design_header,
    report_readme,
)
from designs.outputs.tables import sample_size_table
from designs.planning.power_curve import design_at

#: The figures of a report (each as NAME.pdf and NAME.png); the last two need a posterior.
FIGURES = (
    "sample_size_curve",
    "power_curve",
    "analyses_compared",
    "assurance_curve",
    "posterior_effect",
)

#: Every file a report folder can hold (stale ones from an earlier run are removed).
REPORT_FILES = (
    "sample_size.md",
    "sample_size.csv",
    "sample_size.tex",
    "operating_characteristics.md",
    "operating_characteristics.tex",
    "operating_characteristics.json",
    "realism_sensitivity.md",
    "power_sweep.nc",
    *(f"{name}.{ext}" for name in FIGURES for ext in ("pdf", "png")),
    "assurance.json",
    "prior_weight.md",
    "prior_weight.csv",
    "prior_weight.pdf",
    "prior_weight.png",
    "interim.md",
    "interim.csv",
    "interim_looks.csv",
    "interim.tex",
    "interim_boundaries.pdf",
    "interim_boundaries.png",
    "methods.md",
    "design.toml",
    "design_chosen.toml",
    "design_chosen_interim.toml",
    "README.md",
    "SHA256SUMS",
)

#: The folder's checksums, in ``sha256sum``'s format (``sha256sum -c SHA256SUMS`` checks
#: them): an auditor's review could not tell an edited file of a report from its own.
CHECKSUMS = "SHA256SUMS"


#: Written first and removed last while a report's files move into a folder that already
#: holds files: a folder that still has it was left half-replaced by a hard kill (an
#: operations review: a SIGKILL among the moves left README.md beside another run's files,
#: and the rerun was refused), and the next report replaces it whole.
UNFINISHED = "REPORT_UNFINISHED.txt"
UNFINISHED_TEXT = (
    "This folder was being replaced by a new report when its run was stopped or failed: its "
    "files may come from two runs. Run the report command again to replace them all.\n"
)


def _earlier_report(out_dir: Path) -> bool:
    if (out_dir / UNFINISHED).is_file():
        return True
    methods = out_dir / "methods.md"
    try:
        with open(methods, encoding="utf-8") as f:
            return f.readline().strip() in (METHODS_TITLE, METHODS_TITLE_NO_ASSURANCE)
    except (OSError, UnicodeDecodeError):
        return False


def _earlier_files(out_dir: Path) -> frozenset[str] | None:
    """The files the earlier report in ``out_dir`` wrote, as its :data:`CHECKSUMS` lists them
    (with that file itself); empty where ``out_dir`` holds no earlier report
    (:func:`_earlier_report`); None where that is not known (no checksums: a report older
    than them), and then every report-named file counts as its own. Also for a report whose files
    were still moving in (:data:`UNFINISHED`): :func:`_move_in` removes the stale files, then
    moves :data:`CHECKSUMS` in first, so the checksums in the folder list every report file
    there at any point a run can stop (a diff review: after an interrupted run the user's
    interim.md was removed without --force)."""
    if not _earlier_report(out_dir):
        return frozenset()
    try:
        text = (out_dir / CHECKSUMS).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    names = {line.split("  ", 1)[1] for line in text.splitlines() if "  " in line}
    return frozenset(names | {CHECKSUMS})


def check_report_folder(out_dir, option: str = "--out", *, inputs=(), force: bool = False) -> Path:
    """``out_dir`` as a Path, if it is (or can become) a folder whose parent is writable and
    a report may be written into it without losing anything of the user's.

    A file in ``out_dir`` with the name of a report file is replaced only if the folder holds
    an earlier report (or with ``force``), and never when it is one of the command's
    ``inputs`` (``(option, path)`` pairs). Called before any simulation, so a bad folder is
    refused at once.
    """
    out_dir = Path(out_dir)
    if out_dir.is_symlink() and not out_dir.exists():  # refused after the work otherwise
        raise InputError(
            f"{option} {out_dir}: a link to {os.readlink(out_dir)}, which does not exist; "
            "make that folder or choose another"
        )
    if out_dir.is_dir():
        present = [out_dir / n for n in REPORT_FILES if (out_dir / n).exists()]
        for f in present:
            for name, given in inputs:
                if given is not None and Path(given).is_file() and os.path.samefile(f, given):
                    raise InputError(
                        f"{option} {out_dir}: its {f.name} is also this command's input "
                        f"({name}); choose another folder"
                    )
        ours = _earlier_files(out_dir)
        # the files with a report's name that no earlier report there wrote (a diff review:
        # the user's interim.md beside a report made with --force went at the next run)
        foreign = sorted(f.name for f in present if ours is not None and f.name not in ours)
        if foreign and not force:
            # every such file (a file-safety review: only the first was named)
            names = ", ".join(foreign[:6]) + (
                f" and {len(foreign) - 6} more" if len(foreign) > 6 else ""
            )
            whose = "an earlier report" if ours == frozenset() else "the earlier report there"
            raise InputError(
                f"{option} {out_dir}: holds {names}, not from {whose}; give --force to "
                "replace such files, or choose another folder"
            )
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{option} {out_dir}: exists and is not a folder")
    check_folder_can_be_made(out_dir.parent, option, out_dir)
    if out_dir.is_dir():  # the files are moved into it (a review: refused after the work)
        check_folder_can_be_made(out_dir, option, out_dir)
    check_name_length(out_dir, option)
    return out_dir


def _fixed_scope(plan) -> str:
    """What the fixed design's figures and tables say first in a report with interim looks
    (the interim design's own are ``interim.*`` and ``interim_boundaries``); "" without."""
    if plan.interim is None:
        return ""
    return "Fixed design, without the interim looks (the interim table gives the design with looks)"


def _figures(plan, tmp: Path) -> None:
    """Every figure of ``plan`` into ``tmp`` (PDF and PNG each)."""
    design, result, sweep = plan.design, plan.sample_size, plan.power_sweep
    chosen = [(r.target_power, r.n) for r in result.rows]
    figures.sample_size_png(
        result, tmp / "sample_size_curve.png", closed_form=plan.closed_form, design=design
    )
    figures.power_curve_png(
        sweep,
        tmp / "power_curve.png",
        targets=plan.targets,
        analysis=plan.analysis,
        chosen=chosen,
        design=design,
    )
    figures.analyses_png(
        plan.analyses_sweep,
        tmp / "analyses_compared.png",
        effect=design.effect.value,
        primary=plan.analysis,
        design=design,
    )
    if plan.assurance is None:
        return
    from designs.planning.assurance import transported_decline

    shift = design.effect.slope_shift(design.population.slope_mean)
    figures.posterior_effect_png(
        plan.posterior_effect,
        tmp / "posterior_effect.png",
        # on the proportional draws' scale: a fraction of the decline they are applied to
        # (a diff review: under delta-FS screening 25% of the candidates' decline was marked
        # where the draws are fractions of the admitted patients', on which it is 30%)
        design_effect=shift / transported_decline(design),
        design_effect_points=shift,
        decline_words=(
            "of the admitted patients' decline"
            if design.enrichment.admitted_slope(design.population) is not None
            else ""
        ),
        seed=plan.posterior_attrs.get("seed"),
        illustrative=is_illustrative(plan.posterior_attrs),
    )
    size_dim = result.rows[0].size_name
    own = sweep.sel(analysis=plan.analysis).sel(effect=design.effect.value, method="nearest")
    fixed = (
        own[size_dim].values,
        own.power_favourable.values,
        own.mc_se_favourable.values,
        f"{figures.success_word(design)} at the design's fixed effect",
    )
    figures.assurance_curve_png(
        plan.assurance_curves,
        tmp / "assurance_curve.png",
        targets=plan.targets,
        seed=plan.seed,
        fixed=fixed,
        chosen=chosen,
        design=design,
        illustrative=is_illustrative(plan.posterior_attrs),
        fixed_trials=plan.trials,
    )


def _move_in(tmp: Path, out_dir: Path, removed) -> list[Path]:
    """Move the files of ``tmp`` into the existing ``out_dir``, between writing
    :data:`UNFINISHED` and removing it, README.md last (files of an earlier report that this
    one does not write are removed first; ``removed`` gets their names). Only the files the
    earlier report wrote (:func:`_earlier_files`); in a folder that holds no earlier report
    (``--force``) nothing is removed: files are only replaced (a file-safety review: the
    user's own interim.md and prior_weight.csv were deleted as "files of the earlier
    report")."""
    # before the marker below makes the folder look like an unfinished report: the files the
    # earlier report wrote (its checksums), never another file of the user's with such a
    # name (a diff review: a report made with --force beside the user's interim.md removed
    # it at the next run)
    ours = _earlier_files(out_dir)
    marker = out_dir / UNFINISHED
    marker.write_text(UNFINISHED_TEXT, encoding="utf-8")
    for name in REPORT_FILES if ours is None else sorted(ours & set(REPORT_FILES)):
        if not (tmp / name).exists() and (out_dir / name).exists():
            (out_dir / name).unlink(missing_ok=True)
            if removed is not None:
                removed.append(name)
    written = []
    for f in sorted(tmp.iterdir(), key=lambda f: (f.name == "README.md", f.name)):
        try:
            os.replace(f, out_dir / f.name)
        except OSError as exc:  # a folder linked to another file system (a diff review)
            if exc.errno != errno.EXDEV:
                raise
            shutil.move(f, out_dir / f.name)
        written.append(out_dir / f.name)
    marker.unlink()
    return sorted(written)


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
    """True when a process ``pid`` exists (ours or another user's); on Windows always True
    (its ``os.kill`` ends the process instead of probing it: a diff review), so a killed
    run's temporary folder is left in place there."""
    if os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _render(plan, tmp: Path, command: str | None = None) -> None:
    """Write every file of ``plan`` into the folder ``tmp`` (``command``: the command line
    that made it, recorded in README.md and operating_characteristics.json); with interim
    looks the fixed design's figures and tables say first that they are its
    (:func:`_fixed_scope`)."""
    from designs.outputs.scope import figure_scope

    with figure_scope(_fixed_scope(plan)):
        _render_in_scope(plan, tmp, command)


def _render_in_scope(plan, tmp: Path, command: str | None) -> None:
    design, result = plan.design, plan.sample_size
    at_n = design_at(design, result.rows[0].n)  # the design at the n chosen for the first target
    for fmt, ext in (("md", "md"), ("csv", "csv"), ("latex", "tex")):
        table = sample_size_table(result, design, fmt)
        block = fresh_check_block(result.rows, design, command) if fmt == "md" else []
        if block:  # the fresh-trial check's warnings, where the numbers are
            table = table.rstrip("\n") + "\n\n" + "\n".join(block)
        (tmp / f"sample_size.{ext}").write_text(table, encoding="utf-8")
    oc = plan.operating
    # the first target's n, which these files and the interim design stand on
    cautions = chosen_cautions(result.rows, design, plan.prior_weight_calibrated)
    (tmp / "operating_characteristics.md").write_text(
        operating_characteristics_md(oc, design, cautions), encoding="utf-8"
    )
    (tmp / "operating_characteristics.tex").write_text(
        operating_characteristics_tex(oc, design, cautions), encoding="utf-8"
    )
    recorded = oc if command is None else {**oc, "command": command}
    (tmp / "operating_characteristics.json").write_text(
        json_text(recorded) + "\n", encoding="utf-8"
    )
    (tmp / "realism_sensitivity.md").write_text(
        realism_sensitivity_md(plan.realism, design, plan.realism_n, plan.trials, plan.seed),
        encoding="utf-8",
    )
    sweep = plan.power_sweep
    if command is not None:  # as `sweep --out` records its own (an auditor's review)
        sweep = sweep.copy()
        sweep.attrs["command"] = command
    write_netcdf(sweep, tmp / "power_sweep.nc")  # no h5py crash on a full disk
    _figures(plan, tmp)
    if plan.prior_weight_sweep is not None:
        from designs.outputs.figures_decision import prior_weight_figure, prior_weight_table

        target = design.trial.alpha / design.trial.sides
        for fmt in ("md", "csv"):
            (tmp / f"prior_weight.{fmt}").write_text(
                prior_weight_table(
                    plan.prior_weight_sweep,
                    target,
                    fmt=fmt,
                    design=at_n,
                    calibrated=plan.prior_weight_calibrated,
                ),
                encoding="utf-8",
            )
        prior_weight_figure(
            plan.prior_weight_sweep,
            tmp / "prior_weight.png",
            target,
            design=at_n,
            calibrated=plan.prior_weight_calibrated,
        )
    if plan.assurance is not None:
        from designs.outputs.posterior_source import posterior_record
        from designs.simulation.numba_cache import software

        # with the posterior it rests on, the seed, the software and the command, as
        # `assurance --json` records them (an auditor's review: the report's file named none)
        record = {
            "assurance": {
                str(n): {tr: a.to_dict() for tr, a in v.items()} for n, v in plan.assurance.items()
            },
            "posterior": posterior_record(plan.posterior_attrs),
            "seed": plan.seed,
            "software": software(),
            **({"command": command} if command is not None else {}),
        }
        (tmp / "assurance.json").write_text(json_text(record) + "\n", encoding="utf-8")
    interim = plan.interim
    if interim is not None:
        from designs.outputs.figures_interim import interim_figure
        from designs.outputs.interim_csv import interim_looks_csv
        from designs.outputs.interim_tables import interim_table
        from designs.outputs.scope import figure_scope

        with figure_scope(""):  # the design with its looks: not the fixed design's scope
            for fmt, ext in (("md", "md"), ("csv", "csv"), ("latex", "tex")):
                (tmp / f"interim.{ext}").write_text(
                    interim_table(interim, fmt, cautions), encoding="utf-8"
                )
            (tmp / "interim_looks.csv").write_text(interim_looks_csv(interim), encoding="utf-8")
            interim_figure(interim, tmp / "interim_boundaries.png")
    (tmp / "methods.md").write_text(
        methods_text(
            design,
            result,
            oc,
            plan.assurance,
            plan.posterior_attrs,
            plan.undefined_draws,
            interim=interim,
            realism=plan.realism,
            realism_n=plan.realism_n,
            calibrated=plan.prior_weight_calibrated,
        ),
        encoding="utf-8",
    )
    chosen = result.rows[0]
    given = design if interim is None else interim.design  # with its [interim] section
    (tmp / "design.toml").write_text(
        input_design_header(chosen, interim) + given.to_toml(), encoding="utf-8"
    )
    header = chosen_design_header(chosen, interim, cautions)
    (tmp / "design_chosen.toml").write_text(header + at_n.to_toml(), encoding="utf-8")
    if interim is not None:  # the interim design at its n max, with its [interim] section
        (tmp / "design_chosen_interim.toml").write_text(
            chosen_interim_header(interim.row, cautions)
            + design_at(interim.design, interim.row.n_max).to_toml(),
            encoding="utf-8",
        )
    (tmp / "README.md").write_text(report_readme(plan, command) + "\n", encoding="utf-8")
    _write_checksums(tmp)


def _write_checksums(folder: Path) -> None:
    """:data:`CHECKSUMS`: the SHA-256 of every other file of ``folder``, by name."""
    import hashlib

    lines = [
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}"
        for path in sorted(folder.iterdir())
        if path.name != CHECKSUMS
    ]
    (folder / CHECKSUMS).write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_report(
    plan, out_dir, *, force: bool = False, command: str | None = None, removed=None
) -> list[Path]:
    """Write the report folder of ``plan``; returns the files written (``removed``, a list,
    gets the names of an earlier report's files this one removed).

    Files are made in a temporary folder beside ``out_dir`` and moved in only when all are
    done, so an interrupted report leaves no half-written file; files an earlier report
    left in ``out_dir`` that this one does not write are removed.

    Parameters
    ----------
    plan : designs.planning.report_plan.ReportPlan
    out_dir : path
        Folder to write into (created).
    command : str, optional
        The command line that made the report, recorded in README.md and
        operating_characteristics.json so that the folder can be made again (a paste-ready
        review: no file named the trials per point or the targets).
    """
    out_dir = check_report_folder(out_dir, force=force)
    tmp = _temporary_folder(out_dir)
    try:
        try:
            _render(plan, tmp, command)
        except OSError as exc:  # a full disk names no file: the folder asked for (an
            if exc.filename is not None:  # operations review: "error: output: no space")
                raise
            raise OSError(exc.errno, exc.strerror or str(exc), str(out_dir)) from None
        # Ctrl-C and SIGTERM held while the files move in, so that a folder never mixes two
        # runs' files (a reliability review: README.md said 185 beside a sample_size.md of 182)
        with signals_held():
            if not out_dir.exists() and not out_dir.is_symlink():
                # a new folder: one rename, all or nothing, even under SIGKILL; with the mode
                # a new folder gets (mkdtemp's is the owner's only). An existing folder, even
                # empty, is the user's (its group, mode and ACL kept: a diff review) and
                # takes the files one by one.
                mask = os.umask(0)
                os.umask(mask)
                tmp.chmod(0o777 & ~mask)
                os.replace(tmp, out_dir)
                return sorted(out_dir.iterdir())
            return _move_in(tmp, out_dir, removed)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
