"""The page's reactive logic: controls -> design -> background jobs -> views and downloads.

A change of any control validates the design at once (the library's message goes beside
the bad control), cancels the job still running for the previous state, and starts the
power at the chosen size; the sample-size search follows when it is done. Both run in a
worker thread (Shiny extended tasks), so the page stays responsive, and both are cached
by design and seed (:mod:`designs.explorer.compute`).
"""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass

from shiny import reactive, render, ui

from designs.errors import InputError
from designs.explorer import command, compute, view_parts, views
from designs.explorer.address import keep_design_in_address
from designs.explorer.controls import (
    CONTROL_IDS,
    CONTROLS,
    analyses_shown,
    base_values,
    design_from_values,
)
from designs.explorer.downloads import register_downloads
from designs.explorer.families import family_resets
from designs.explorer.layout import spending_choices
from designs.explorer.limits import check_page_size
from designs.explorer.messages import control_messages
from designs.explorer.task_state import (
    INVALID,
    POWER_FAILED,
    engine_compiled,
    fresh_result,
    run_outcome,
    status_text,
    task_state,
)
from designs.explorer.units import (
    carried_over,
    effect_label,
    effect_step,
    switched_effect,
    switched_size,
)

#: Seconds between updates of the status line's trial count while a job runs.
POLL_SECONDS = 0.5
#: Select controls of the interim looks.
SELECTS = ("spending", "futility")
#: The design list's entry for an uploaded TOML file.
UPLOADED = "(uploaded)"
#: The boxes whose number is carried over when their unit is switched, and their units.
UNIT_OF = {"n": "size_mode", "effect": "effect_kind"}


@dataclass(frozen=True)
class Request:
    """What the page shows now: the design's reference (library name or uploaded file
    name), the design it started from, the design on the page, seed and trials."""

    ref: str
    base: object
    design: object
    seed: int
    trials: int
    uploaded: bool = False

    def report_command(self) -> str:
        """The command line that writes the report download's folder, recorded in it (an
        explorer review: the zip named no command, so it could not be reproduced)."""
        args = command.report_args(
            self.ref, self.base, self.design, seed=self.seed, trials=self.trials
        )
        return command.command_text(args)

    def commands(self) -> str:
        return command.commands_file(
            self.ref,
            self.base,
            self.design,
            seed=self.seed,
            trials=self.trials,
            analyses=analyses_shown(self.design),
            uploaded=self.uploaded,
        )


def server(input, output, session):
    from designs.spec import list_designs, load_design

    library = set(list_designs())
    uploaded = reactive.value(None)  # (file name, design) of an uploaded TOML
    upload_error = reactive.value("")
    # the power and sample size's job (its count is the status line's), and the jobs asked
    # for on request (assurance, realism: their own, or their trials would join that count;
    # a review read "64,000 of 52,000 trials"); a change cancels them all
    job = {"current": compute.Job(), "on_request": []}
    # a unit switched by the user carries its number over (units.py); one the page set
    # itself, resetting to a design's values, does not
    set_by_page = {"size_mode": None, "effect_kind": None}
    # the box -> units.Conversion of a switch whose number the browser has yet to show
    converting = reactive.value({})

    def _cancel_jobs():
        for j in (job["current"], *job["on_request"]):
            j.cancel()
        job["on_request"].clear()

    def _on_request_job() -> compute.Job:
        j = compute.Job()
        job["on_request"].append(j)
        return j

    # a closed or reloaded tab: its jobs stop at their next block (a review: a job left
    # running at 30,001 per arm held every other page "simulating" for 3 minutes), its
    # downloads too (not a change of the controls: a download is of the state clicked)
    downloads = weakref.WeakSet()  # the running ones: a finished download's job is dropped

    def _tab_ended():
        _cancel_jobs()
        for j in downloads:
            j.cancel()

    session.on_ended(_tab_ended)

    @reactive.effect
    @reactive.event(input.upload)
    def _read_upload():
        files = input.upload() or []
        if not files:
            return
        try:
            check_upload_size(files[0]["datapath"])
            design = load_design(files[0]["datapath"])
            check_page_size(design)  # as the patients box (a review: 30,001 per arm)
        except InputError as exc:  # named by the file's own name, not the server's copy
            upload_error.set(upload_message(str(exc), files[0]["datapath"], files[0]["name"]))
            return
        upload_error.set("")
        uploaded.set((files[0]["name"], design))
        # the uploaded design joins the list, chosen; picking a library design leaves it
        choices = {UPLOADED: f"{files[0]['name']} (uploaded)"}
        choices.update({name: name for name in list_designs()})
        ui.update_select("design", choices=choices, selected=UPLOADED)

    @reactive.effect
    @reactive.event(input.design)
    def _forget_refused_upload():
        # a design chosen from the list: a refused file's message no longer concerns the page
        # (a diff review: it stayed beside the upload and led every announcement for good)
        upload_error.set("")

    @reactive.calc
    def base():
        name = input.design()
        if name == UPLOADED and uploaded() is not None:
            return uploaded()
        if name not in library:  # only the page's choices are read (a review's hand-made
            name = "default"  # message had a path to any file opened as a design)
        return name, load_design(name)

    opened = keep_design_in_address(
        input, session, library=library, uploaded=UPLOADED, converting=converting
    )

    @reactive.effect
    def _reset_controls():
        v = base_values(base()[1])
        if opened["restored"]:  # the page opened at an address's controls: they stay
            opened["restored"] = False
            return
        with reactive.isolate():
            converting.set({})  # the design's own numbers and units: nothing to convert
            for cid in set_by_page:  # the units the page sets now: not the user's switch
                set_by_page[cid] = v[cid] if v[cid] != input[cid]() else None
            for c in CONTROLS:
                if c.id in ("seed", "trials"):
                    continue
                if c.id == "spending":  # "user" only for a design that has it (layout)
                    ui.update_select(c.id, choices=spending_choices(v[c.id]), selected=v[c.id])
                elif c.id in (
                    "effect_kind",
                    "analysis",
                    "sides",
                    "rule",
                    "prior",
                    "information",
                    *SELECTS,
                ):
                    ui.update_select(c.id, selected=v[c.id])
                elif c.id == "looks":
                    ui.update_text(c.id, value=v[c.id])
                elif c.id == "size_mode":
                    ui.update_radio_buttons(c.id, selected=v[c.id])
                else:
                    ui.update_numeric(c.id, value=v[c.id])

    def _family_reset(key: str):
        @reactive.effect
        @reactive.event(input[key], ignore_init=True)
        def _reset():
            # a family chosen: the parameters it does not read go back (gamma -2 left from
            # hsd would be refused under obf, and nothing simulated)
            with reactive.isolate():
                resets = family_resets(base()[1], key, input[key]())
            for cid, value in resets.items():
                ui.update_numeric(cid, value=value)

    for key in SELECTS:
        _family_reset(key)

    def _carry_over(box: str, switched):
        """A unit switched by the user (``box``'s, :data:`UNIT_OF`): ``box`` gets its number
        in the new unit (:mod:`designs.explorer.units`), which the page reads until the
        browser shows it; a unit the page set itself is left alone."""
        unit = UNIT_OF[box]

        # before any other effect of the switch (_start would otherwise simulate, and
        # cancel, the old number in the new unit first)
        @reactive.effect(priority=1)
        @reactive.event(input[unit], ignore_init=True)
        def _carry():
            new_unit = input[unit]()
            set_here = set_by_page[unit] == new_unit
            set_by_page[unit] = None
            if set_here:
                return
            with reactive.isolate():
                pending = dict(converting())
                conversion = carried_over(pending.pop(box, None), input[box](), new_unit, switched)
            if conversion is not None:
                pending[box] = conversion
                ui.update_numeric(box, value=conversion.value)
            converting.set(pending)

        @reactive.effect
        @reactive.event(input[box], ignore_init=True)
        def _caught_up():
            # the box shows the converted number, or the user's own: nothing awaited
            with reactive.isolate():
                conversion = converting().get(box)
                if conversion is not None and not conversion.awaited(input[box]()):
                    converting.set({k: v for k, v in converting().items() if k != box})

    _carry_over("n", switched_size)
    _carry_over(
        "effect",
        lambda x, kind: switched_effect(x, kind, base()[1].population.slope_mean),
    )

    @reactive.effect
    def _effect_label():
        # the Effect box's label and step follow the kind chosen (an accessibility review)
        kind = input.effect_kind()
        ui.update_numeric("effect", label=effect_label(kind), step=effect_step(kind))

    @reactive.calc
    def checked():
        values = {cid: input[cid]() for cid in CONTROL_IDS}
        for box, conversion in converting().items():  # a switched unit's carried-over number
            values[box] = conversion.read(values[UNIT_OF[box]], values[box])
        ref, design = base()
        new, errors = design_from_values(design, values)
        errors = control_messages(values, errors)
        if new is None:
            return None, errors
        up = input.design() == UPLOADED and uploaded() is not None
        seed, trials = int(values["seed"]), int(values["trials"])
        return Request(ref, design, new, seed, trials, uploaded=up), errors

    def _error_output(cid: str):
        @output(id=f"err_{cid}", suspend_when_hidden=False)  # hidden while empty
        @render.text
        def _message():
            if cid == "upload":  # the file input, which the message describes
                return upload_error()
            return checked()[1].get(cid, "")

    for cid in (*CONTROL_IDS, "", "upload"):
        _error_output(cid)

    # Each task returns (the request it computed, its result or the InputError it refused
    # with): a result or a refusal is only ever shown with its own request's labels, and only
    # while that request is the page's (task_state.fresh_outcome; an explorer review: a
    # refusal raised by the task was re-raised before its request could be compared, and
    # the stale message, sent into a view already waiting for the next job, made the
    # browser drop the whole update: the headline stayed the refused design's under "up to
    # date").
    @reactive.extended_task
    async def power_task(req, j):
        return req, await run_outcome(compute.power_view, req, j)

    @reactive.extended_task
    async def sample_size_task(req, j):
        return req, await run_outcome(compute.sample_size_view, req, j)

    @ui.bind_task_button(button_id="run_assurance")
    @reactive.extended_task
    async def assurance_task(req, j):
        return req, await run_outcome(compute.assurance_view, req, j)

    @ui.bind_task_button(button_id="run_realism")
    @reactive.extended_task
    async def realism_task(req, j):
        return req, await run_outcome(compute.realism_view, req, j)

    current = reactive.value(None)

    def fresh(task, queued=True):
        """``task``'s (request, result) for the page's request; for an earlier request the
        views wait as for a running job (``queued``: the page's job is queued behind it), or
        are cleared (the assurance and realism, which run again only on their button)."""
        return fresh_result(task, current(), queued)

    @reactive.effect
    def _start():
        req, _ = checked()
        if req is None:  # a refused control: the last valid design's views stay (and finish)
            return
        with reactive.isolate():
            if req == current():  # e.g. the box caught up with a carried-over number
                return
        _cancel_jobs()
        for task in (power_task, sample_size_task, assurance_task, realism_task):
            task.cancel()
        job["current"] = compute.Job()
        current.set(req)
        power_task.invoke(req, job["current"])

    @reactive.effect
    def _then_sample_size():
        if power_task.status() == "success":
            done_for, value = power_task.result()
            with reactive.isolate():
                if done_for is not current():  # the current request's power is queued
                    return
            if isinstance(value, InputError):  # the power failed: no sample size after it
                return
            sample_size_task.invoke(done_for, job["current"])

    @reactive.effect
    @reactive.event(input.run_assurance)
    def _assurance():
        assurance_task.invoke(current(), _on_request_job())

    @reactive.effect
    @reactive.event(input.run_realism)
    def _realism():
        realism_task.invoke(current(), _on_request_job())

    @render.text
    def status():
        # reactive on the tasks' states, and while one runs every POLL_SECONDS for the count
        # of trials simulated (a review: a long run showed no sign of moving); the views
        # grey out while they are recomputed
        power, sample_size = (
            task_state(power_task, current()),
            task_state(sample_size_task, current()),
        )
        running = "running" in (power, sample_size)
        if running:
            reactive.invalidate_later(POLL_SECONDS)
        j = job["current"]
        count = (j.done, j.total) if running else None
        compiling = running and not j.done and not engine_compiled()
        return status_text(
            power,
            sample_size,
            valid=checked()[0] is not None,
            count=count,
            compiling=compiling,
            upload_refused=bool(upload_error()),
        )

    @render.text
    def announce():
        # the one live region: a sentence when the power is new, or why there is none
        if checked()[0] is None:
            return INVALID
        refused = upload_error()  # a refused file, said before the power it left as it was
        try:
            text = views.power_announcement(*fresh(power_task))
        except InputError as exc:
            return str(exc)
        if refused:
            text = f"{refused} {text}"
        # then the sample size and what was asked for, when they are this request's (an
        # accessibility review: their end was never said)
        if task_state(sample_size_task, current()) == "success":
            done_for, result = sample_size_task.result()
            if not isinstance(result, InputError):
                text += " " + views.sample_size_announcement(done_for, result)
        for task, name in ((assurance_task, "Assurance"), (realism_task, "Realism sensitivity")):
            if task_state(task, current()) == "success":
                text += f" {name}: shown under On request."
        return text

    @render.ui
    def stale_note():
        if checked()[0] is not None or current() is None:
            return None
        return view_parts.warnings_html([INVALID], "stale-note")

    def _power_view(html):
        try:
            return html(*fresh(power_task))
        except InputError as exc:  # the library's line (e.g. every fit failed)
            return view_parts.message_html(str(exc))

    @render.ui
    def power_view():
        return _power_view(views.power_html)

    @render.ui
    def loss_view():
        return _power_view(views.loss_html)

    @render.ui
    def interim_view():
        return _power_view(views.interim_html)

    @render.ui
    def analyses_view():
        return _power_view(views.analyses_html)

    @render.ui
    def sample_size_view():
        if task_state(power_task, current()) in ("error", "refused"):  # it follows the power
            return views.not_computed_html(POWER_FAILED)
        try:
            done_for, result = fresh(sample_size_task)
        except InputError as exc:
            return view_parts.message_html(str(exc))
        return views.sample_size_html(done_for, result)

    @render.ui
    def assurance_view():
        if assurance_task.status() == "initial":
            return None
        try:
            return views.assurance_html(*fresh(assurance_task, queued=False))
        except InputError as exc:  # e.g. interim looks: the library's own line
            return view_parts.message_html(str(exc))

    @render.ui
    def realism_view():
        if realism_task.status() == "initial":
            return None
        try:
            return views.realism_html(*fresh(realism_task, queued=False))
        except InputError as exc:
            return view_parts.message_html(str(exc))

    @render.text
    def command():
        req = current()
        return "" if req is None else req.commands()

    def _download_job() -> compute.Job:
        j = compute.Job()
        downloads.add(j)
        return j

    register_downloads(current, _download_job)


#: The largest design file the page reads, bytes: a design's TOML is a few kB (a security
#: review: a 200 MB upload was parsed on the event loop, every page frozen for 14 s).
MAX_UPLOAD_BYTES = 1_000_000


def check_upload_size(path) -> None:
    """Refuse an uploaded file larger than :data:`MAX_UPLOAD_BYTES` before reading it."""
    size = os.path.getsize(path)
    if size > MAX_UPLOAD_BYTES:
        raise InputError(
            f"{size:,} bytes; a design file is a TOML of a few kB (at most "
            f"{MAX_UPLOAD_BYTES:,} bytes read)"
        )


def upload_message(message: str, path, name: str) -> str:
    """The library's message on an uploaded file, named by the file's own ``name``, not by
    the ``path`` of the server's temporary copy (a review: the page showed that path)."""
    message = message.replace(str(path), name)
    return f"{name}: {message.removeprefix(f"design file '{name}': ")}"
