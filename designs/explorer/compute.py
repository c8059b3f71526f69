"""What the page shows, computed by the planning library and cached by design and seed.

Every result is keyed by the design's TOML (its every field), the seed, the number of
simulated trials and what was asked, so moving a control back shows the earlier result at
once. One lock runs the engine one job at a time (Numba's parallel kernels are launched from
one thread at a time), and a job can be cancelled: the library calls ``progress`` between
blocks of trials, and :class:`Job` raises :class:`Cancelled` there once a newer change has
asked for something else.
"""

from __future__ import annotations

import io
import json
import tempfile
import threading
import time
import weakref
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from designs.explorer.controls import analyses_shown
from designs.explorer.limits import PAGE_TARGETS, check_page_search, page_limit
from designs.spec.interim import NO_LOOKS

#: Results kept (each is small: summaries, tables, figure bytes).
CACHE_SIZE = 128
TARGETS = PAGE_TARGETS

_ENGINE = threading.Lock()
_JOBS: weakref.WeakSet = weakref.WeakSet()
_CACHE_LOCK = threading.Lock()
_CACHE: OrderedDict = OrderedDict()


class Cancelled(Exception):
    """A newer change asked for another result; this one was abandoned between blocks."""


@dataclass(eq=False)
class Job:
    """A cancellation flag and a trial counter, handed to the library as ``progress``."""

    cancelled: threading.Event = field(default_factory=threading.Event)
    done: int = 0
    total: int = 0

    def __post_init__(self) -> None:
        _JOBS.add(self)

    def progress(self, trials: int) -> None:
        if self.cancelled.is_set():
            raise Cancelled
        self.done += int(trials)

    def expect(self, more: int) -> None:
        """The library announces ``more`` trials to come (``progress.expect``)."""
        self.total += int(more)

    def cancel(self) -> None:
        self.cancelled.set()


def cancel_all() -> None:
    """Cancel every job still running (the server is stopping)."""
    for job in list(_JOBS):
        job.cancel()


def design_key(design) -> str:
    """The design's every field (its TOML)."""
    return design.to_toml()


def search_key(design) -> str:
    """The design's every field except its size (``trial.n_per_arm`` / ``trial.n_total``):
    the sample-size search does not read the size, it searches over it, so a change of n
    alone reuses the search (its tables, which name n, are written again for each n)."""
    body = design.to_dict()
    body["trial"].pop("n_per_arm", None)
    body["trial"].pop("n_total", None)
    return json.dumps(body, sort_keys=True, allow_nan=True)


def cached(kind: str, design, seed: int, trials: int, compute: Callable, *extra, key=design_key):
    """``compute()`` once per (kind, ``key(design)``, seed, trials, extra); later calls
    reuse it."""
    full = (kind, key(design), int(seed), int(trials), *extra)
    with _CACHE_LOCK:
        if full in _CACHE:
            _CACHE.move_to_end(full)
            return _CACHE[full]
    with _ENGINE:
        with _CACHE_LOCK:  # another request may have finished it while this one waited
            if full in _CACHE:
                return _CACHE[full]
        value = compute()
    with _CACHE_LOCK:
        _CACHE[full] = value
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def is_cached(kind: str, design, seed: int, trials: int, *extra, key=design_key) -> bool:
    with _CACHE_LOCK:
        return (kind, key(design), int(seed), int(trials), *extra) in _CACHE


def _prior(design):
    """The posterior rule's prior (None under the frequentist rule), as ``power`` takes it."""
    if not design.decision.is_posterior:
        return None
    from designs.planning.decision_rule import decision_prior

    return decision_prior(design, phase2() if design.decision.borrows else None)


def phase2():
    """The phase 2 posterior of the bundled data (fitted once, then read from the cache)."""
    from designs.planning.posterior import load_or_fit_posterior

    return load_or_fit_posterior(None)


def without_looks(design):
    """``design`` as a fixed design (one analysis at the end): what the analyses, losses
    and fixed sample size are simulated on when the design has interim looks; under the
    posterior rule the command line's reference: one analysis at the final look's threshold,
    no futility (:func:`designs.planning.sample_size_posterior_looks.fixed_reference_design`)."""
    if not design.interim.sequential:
        return design
    if design.decision.is_posterior:
        from designs.planning.sample_size_posterior_looks import fixed_reference_design

        return fixed_reference_design(design)
    return design.with_overrides(dict(NO_LOOKS))


@dataclass(frozen=True)
class PowerView:
    """Power of each analysis on the same simulated trials (of the design without its
    interim looks, if it has any), the calendar length, and with interim looks the
    group-sequential summary (:class:`designs.planning.group_sequential.GroupSequentialSummary`;
    under the posterior rule :class:`designs.planning.decision_looks.PosteriorLooksSummary`)."""

    summaries: dict
    calendar: dict
    seconds: float
    sequential: object = None
    #: Under the posterior rule its prior of the effect (as ``power`` takes and prints it).
    prior: object = None


def all_failed(summary) -> bool:
    """Whether the analysis's fit failed in every simulated trial (its power is undefined)."""
    return summary.failed_fits >= summary.trials


def power_view(design, seed: int, trials: int, job: Job | None = None) -> PowerView:
    """:func:`designs.planning.power.power` of every analysis shown, at the design's size;
    with interim looks also :func:`designs.planning.group_sequential.group_sequential_power`,
    or under the posterior rule :func:`designs.planning.decision_looks.posterior_looks_power`
    (what ``simulate.py power`` gives for it)."""
    from designs.planning.operating import calendar_length
    from designs.planning.power import power

    job = job or Job()

    def run():
        start = time.perf_counter()
        fixed = without_looks(design)
        # the posterior rule's type I error on the same trials, as ``power`` prints it
        type1 = fixed.decision.is_posterior and not design.interim.sequential
        # announced as the command line's bar does: with looks under the effect and none
        job.expect((2 * design.interim.sequential + 1 + type1) * trials)
        gs = None
        if design.interim.sequential and design.decision.is_posterior:
            from designs.planning.decision_looks import posterior_looks_power

            gs = posterior_looks_power(
                design, trials, seed, prior=_prior(design), progress=job.progress
            )
        elif design.interim.sequential:
            from designs.planning.group_sequential import group_sequential_power

            gs = group_sequential_power(design, trials, seed, progress=job.progress)
        prior = _prior(fixed)
        # a comparison analysis whose fit fails in every trial is a row of n/a (its reason
        # beside it), not a refusal of the whole view; the primary analysis is refused with
        # the library's line, as the command line refuses it
        out = power(
            fixed,
            trials,
            seed,
            analyses_shown(fixed),
            progress=job.progress,
            prior=prior,
            require_fits=False,
            type1=type1,
        )
        primary = str(fixed.trial.analysis)
        if all_failed(out[primary]):
            job.expect(trials)
            power(fixed, trials, seed, (primary,), progress=job.progress, prior=prior)
        seconds = time.perf_counter() - start
        return PowerView(out, calendar_length(fixed), seconds, gs, prior)

    return cached("power", design, seed, trials, run)


@dataclass(frozen=True)
class SampleSizeView:
    """The sample-size search, its tables (the command line's bytes) and figure (None with
    interim looks: the command line draws none for them either). The PNG is drawn with the
    search (the page shows it); the PDF only when it is asked for (:attr:`pdf`: a download),
    then kept with the search."""

    result: object
    tables: dict
    png: bytes | None
    seconds: float
    design: object = None
    seed: int = 0
    trials: int = 0

    @property
    def sequential(self) -> bool:
        return self.png is None

    @property
    def pdf(self) -> bytes | None:
        if self.sequential:
            return None
        result, design = self.result, self.design

        def draw():
            return sample_size_figure(result, design, ("pdf",))["pdf"]

        return cached("sample_size_pdf", design, self.seed, self.trials, draw, key=search_key)


def sample_size_figure(result, design, formats=("png", "pdf")) -> dict[str, bytes]:
    """The search's figure as PNG and PDF bytes (the ``formats`` asked for), with the closed
    form beside it, as ``simulate.py sample-size --figure`` draws it
    (:func:`designs.outputs.figures.sample_size_figure_bytes`)."""
    from designs.outputs.figures import sample_size_figure_bytes
    from designs.planning.report_plan import closed_form_reference

    reference = closed_form_reference(design, result, result.analysis)
    return sample_size_figure_bytes(result, closed_form=reference, design=design, formats=formats)


def sample_size_view(design, seed: int, trials: int, job: Job | None = None) -> SampleSizeView:
    """:func:`designs.planning.sample_size.find_sample_size` for 80% and 90% power (with
    interim looks :func:`designs.planning.sample_size_gs.find_group_sequential_sample_size`,
    which under the posterior rule searches by the rule at the looks, as the command line),
    the table in each format the command line writes
    (:func:`designs.outputs.tables.sample_size_table`) and the search's figure.

    The search (and its figure, which does not name n) is cached without the design's size
    (:func:`search_key`): a change of n alone computes nothing again; the tables name the
    design, so they are written for the design given.
    """
    from designs.planning.size_limit import ceiling

    check_page_search(design)
    job = job or Job()
    if design.interim.sequential:
        from designs.outputs.sample_size_gs_table import group_sequential_sample_size_table
        from designs.planning.sample_size_gs import find_group_sequential_sample_size

        def search():
            start = time.perf_counter()
            with ceiling(page_limit(design)[0]):
                result = find_group_sequential_sample_size(
                    design,
                    TARGETS,
                    trials,
                    seed,
                    progress=job.progress,
                    prior=_prior(design),
                    refine_trials=0,
                )
            return result, None, time.perf_counter() - start

        result, _, seconds = cached("gs_sample_size", design, seed, trials, search, key=search_key)
        tables = {f: group_sequential_sample_size_table(result, design, f) for f in ("md", "csv")}
        return SampleSizeView(result, tables, None, seconds)

    from designs.outputs.tables import sample_size_table
    from designs.planning.sample_size import find_sample_size

    def search():
        start = time.perf_counter()
        with ceiling(page_limit(design)[0]):
            result = find_sample_size(
                design, TARGETS, trials, seed, progress=job.progress, prior=_prior(design)
            )
        png = sample_size_figure(result, design, ("png",))["png"]
        return result, png, time.perf_counter() - start

    result, png, seconds = cached("sample_size", design, seed, trials, search, key=search_key)
    tables = {fmt: sample_size_table(result, design, fmt) for fmt in ("md", "csv", "latex")}
    return SampleSizeView(result, tables, png, seconds, design, seed, trials)


def _transports(design) -> tuple[str, str]:
    """The design's transport first, then the other (the command line's order)."""
    first = design.effect.transport.value
    return first, "absolute" if first == "proportional" else "proportional"


def group_sequential_assurance_results(design, seed: int, trials: int, job: Job | None = None):
    """Assurance of a design with interim looks (success at any look over the phase 2
    posterior), both transports, as ``simulate.py assurance --looks ...``
    (:func:`designs.planning.assurance_gs.group_sequential_assurance`); under the posterior
    rule each trial is judged by the rule at its looks, with the rule's prior (as the command
    line passes it)."""
    from designs.planning.assurance_gs import group_sequential_assurance
    from designs.planning.posterior import posterior_draws

    job = job or Job()

    def run():
        idata, prior = phase2(), _prior(design)
        return tuple(
            group_sequential_assurance(
                design,
                posterior_draws(idata, tr),
                trials,
                seed,
                tr,
                prior=prior,
                progress=job.progress,
            )
            for tr in _transports(design)
        )

    return cached("assurance_gs", design, seed, trials, run)


def assurance_view(design, seed: int, trials: int, job: Job | None = None) -> str:
    """Assurance over the phase 2 posterior at the design's size, both transports, as the
    command line's ``assurance`` prints it (:func:`designs.outputs.assurance_text.assurance_text`;
    with interim looks :func:`designs.outputs.group_sequential.group_sequential_assurance_text`
    after the design's line, as ``assurance --looks ...``)."""
    from designs.outputs.assurance_text import assurance_text
    from designs.planning.assurance import DRAWN_EFFECT, assurance_from_draws
    from designs.planning.posterior import posterior_draws
    from progression.population import undefined_proportional_draws

    if design.interim.sequential:
        from designs.outputs.group_sequential import group_sequential_assurance_text

        results = group_sequential_assurance_results(design, seed, trials, job)
        text = group_sequential_assurance_text(list(results), phase2().attrs)
        return design.describe(effect=DRAWN_EFFECT) + "\n" + text

    job = job or Job()

    def run():
        idata = phase2()
        order = _transports(design)
        results = [
            assurance_from_draws(
                design,
                posterior_draws(idata, tr),
                trials,
                seed,
                None,
                tr,
                progress=job.progress,
                prior=_prior(design),
            )
            for tr in order
        ]
        return assurance_text(
            design,
            results,
            natural_history_from_posterior=False,
            undefined_draws=undefined_proportional_draws(idata),
            attrs=idata.attrs,
        )

    return cached("assurance", design, seed, trials, run)


def realism_view(design, seed: int, trials: int, job: Job | None = None) -> str:
    """The realism sensitivity at the design's size, as the report's Markdown table."""
    from designs.outputs.realism_table import realism_sensitivity_md
    from designs.planning.operating import realism_sensitivity
    from designs.planning.report_plan import REALISM_ANALYSES

    job = job or Job()
    n = design.trial.n_per_arm if design.trial.allocation.equal else design.trial.n_total

    def run():
        analyses = tuple(dict.fromkeys((str(design.trial.analysis), *REALISM_ANALYSES)))
        rows = realism_sensitivity(design, n, trials, seed, analyses, progress=job.progress)
        return realism_sensitivity_md(rows, design, n, trials, seed)

    return cached("realism", design, seed, trials, run)


#: Every member's time stamp (the earliest a zip file can hold): the same report is the same
#: zip, byte for byte, whenever it is made.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def deterministic_zip(members: dict[str, bytes]) -> bytes:
    """``members`` (name -> bytes) as a zip file whose bytes depend on nothing else: names
    sorted, a fixed time stamp and permissions (``rw-r--r--``), deflate at level 9."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, whatever system writes it
            info.external_attr = 0o100644 << 16
            z.writestr(info, members[name], compresslevel=9)
    return buf.getvalue()


def report_zip(
    design,
    seed: int,
    trials: int,
    assurance: bool,
    job: Job | None = None,
    command: str | None = None,
) -> bytes:
    """The ``report`` folder (:func:`designs.outputs.report.write_report`) as a zip file;
    ``command``: the command line that writes the same folder, recorded in it as the
    command line records its own."""
    from designs.outputs.report import write_report
    from designs.planning.report_plan import plan_report

    job = job or Job()

    def run():
        from designs.planning.size_limit import ceiling

        with ceiling(page_limit(design)[0]):  # the page's search stays within its patients
            plan = plan_report(
                design,
                trials=trials,
                seed=seed,
                targets=TARGETS,
                idata=phase2() if assurance else None,
                progress=job.progress,
            )
        with tempfile.TemporaryDirectory(prefix="explorer-report-") as tmp:
            out = Path(tmp) / "report"
            files = write_report(plan, out, command=command)
            members = {f"report/{f.relative_to(out).as_posix()}": f.read_bytes() for f in files}
        return deterministic_zip(members)

    return cached("report", design, seed, trials, run, assurance, command)
