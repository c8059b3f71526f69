"""A background task's state and result as the page reads them: the current request's
result or refusal, a stale one (the views wait or are cleared), running, failed; and the
status line made from them."""

from __future__ import annotations

from shiny import reactive
from shiny import req as shiny_req

from designs.errors import InputError
from designs.explorer.background import in_thread as _thread

#: The status line and note while a control is invalid: nothing is simulated, and the views
#: still show the last valid design.
INVALID = (
    "a control's value is refused (its message is beside it): nothing is simulated; the "
    "views and downloads (greyed) show the last valid design, not the controls' values"
)
#: Why the sample size is missing when the power failed (it is started only after it).
POWER_FAILED = "the power at the chosen size failed (its message is in the power card)"


def engine_compiled() -> bool:
    from designs.simulation.numba_cache import engine_compiled

    return engine_compiled()


def status_text(
    power: str,
    sample_size: str,
    valid: bool = True,
    count: tuple[int, int] | None = None,
    compiling: bool = False,
    upload_refused: bool = False,
) -> str:
    """The status line from the two tasks' states (:func:`task_state`): never "up to date"
    while a control is invalid or a task failed; a sample size that never started because
    the power failed is said so, not "simulating". ``count``: the running job's trials
    simulated and announced so far (:class:`designs.explorer.compute.Job`; the total grows
    stage by stage as the search learns its sizes); ``compiling``: no trial yet and the
    engine not compiled (a non-programmer's review: a first load showed "simulating: power"
    for two minutes with no word of compiling). A sample size the page refused for this
    design (``"refused"``: no n at effect 0, a target far beyond the page) is said as such,
    not as a failure; ``upload_refused``: the last uploaded file was refused, so the views
    show the design read before it (a grant writer's review: the page said "up to date"
    beside the refusal, over the earlier file's numbers)."""
    if not valid:
        return INVALID
    if power in ("error", "refused"):
        return f"could not compute: power; sample size not computed: {POWER_FAILED}"
    states = {"power": power, "sample size": sample_size}
    running = [k for k, s in states.items() if s == "running"]
    if running:
        done, total = count or (0, 0)
        counted = f" ({done:,} of {total:,} trials planned so far)" if total else ""
        if compiling:
            from designs.simulation.numba_cache import COMPILE_NOTICE

            counted += f" ({COMPILE_NOTICE})"
        return f"simulating: {', '.join(running)} ...{counted}"
    bad = [k for k, s in states.items() if s == "error"]
    refused = [k for k, s in states.items() if s == "refused"]
    parts = [f"could not compute: {', '.join(bad)}"] if bad else []
    parts += [f"{', '.join(refused)}: not searched for this design (its card says why)"] * bool(
        refused
    )
    if upload_refused:
        parts.append(
            "the uploaded file was refused (its message is beside the upload box): the views "
            "show the design read before it"
        )
    return "; ".join(parts) if parts else "up to date"


async def run_outcome(view, req, j):
    """``view(req.design, req.seed, req.trials, j)`` in a worker thread, or the
    :class:`InputError` it refused with, returned (not raised) so that the views compare
    its request first (:func:`fresh_outcome`)."""
    try:
        return await _thread(view, req.design, req.seed, req.trials, j)
    except InputError as exc:
        return exc


def fresh_outcome(result, now, queued=True):
    """``result`` (the request a task computed, its value) if that request is ``now``, the
    page's current one (its refusal, an :class:`InputError` value, raised). Otherwise the
    views wait as they do for a running job (``queued``), or are cleared: a task that
    finished just as a newer change came in reports its result before the newer job, queued
    behind it, starts, and that result must not be shown under the newer design's labels (a
    headline once read 0.33, the power of n = 60 at a 25% slowing, labelled with the 35%
    slowing just typed, whose power is 0.58)."""
    done_for, value = result
    if done_for is not now:
        shiny_req(False, cancel_output="progress" if queued else False)
    if isinstance(value, InputError):  # the current request's refusal: its message
        raise value
    return result


def fresh_result(task, now, queued=True):
    """:func:`fresh_outcome` of ``task``'s result; a task cancelled by a change (to be started
    again, or left for its button) is treated as a stale result, before its ``result()``
    (Shiny's, on a cancelled task) could clear the views of a queued job."""
    if task.status() == "cancelled":
        shiny_req(False, cancel_output="progress" if queued else False)
    return fresh_outcome(task.result(), now, queued)


def task_state(task, now) -> str:
    """``task``'s status, with a finished result for an earlier request read as running
    (the current request's job is queued behind it)."""
    status = task.status()
    if status == "cancelled":  # only ever to be started again (_start): still to simulate
        # (a flakiness review: "up to date" showed for 4-30 ms over cleared views between
        # the cancel and the new start)
        return "running"
    if status == "success":
        with reactive.isolate():
            done_for, value = task.result()
        if done_for is not now:
            return "running"
        if isinstance(value, InputError):  # refused: said so, never "up to date"
            return "refused"
    return status
