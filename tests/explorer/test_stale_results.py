"""A task's result is shown only with the request it was computed for, and only while that
request is the page's: a power that finished just as a newer change came in once read
0.33 under the newer design's labels (CI, test_browser's n = 60 / 35% slowing, whose power
is 0.58; 0.33 was n = 60 at the default slowing)."""

from __future__ import annotations

import pytest
from shiny.types import SilentException, SilentOperationInProgressException

from designs.explorer.task_state import fresh_outcome, fresh_result, task_state


class _FinishedTask:
    """What Shiny's ExtendedTask reports once a job has finished: its status and result."""

    def __init__(self, result, status="success"):
        self._result, self._status = result, status

    def status(self):
        return self._status

    def result(self):
        return self._result


def test_a_result_for_the_current_request_is_shown_with_it():
    now = object()
    view = object()
    assert fresh_outcome((now, view), now) == (now, view)


def test_a_result_for_an_earlier_request_waits_like_a_running_job():
    earlier, now = object(), object()
    with pytest.raises(SilentOperationInProgressException):
        fresh_outcome((earlier, object()), now)


def test_a_stale_result_of_a_button_task_clears_its_view():
    """The assurance and realism run again only on their button: nothing is queued, so a
    result for an earlier request clears the view instead of showing it as running."""
    earlier, now = object(), object()
    with pytest.raises(SilentException) as cleared:
        fresh_outcome((earlier, object()), now, queued=False)
    assert not isinstance(cleared.value, SilentOperationInProgressException)


def test_the_status_line_reads_a_stale_result_as_still_simulating():
    earlier, now = object(), object()
    assert task_state(_FinishedTask((now, 0.58)), now) == "success"
    assert task_state(_FinishedTask((earlier, 0.33)), now) == "running"
    assert task_state(_FinishedTask(None, status="running"), now) == "running"
    assert task_state(_FinishedTask(None, status="error"), now) == "error"
    # cancelled by a change, to be started again: not "up to date" (a flakiness review: it
    # showed for 4-30 ms between the cancel and the new start, over cleared views)
    assert task_state(_FinishedTask(None, status="cancelled"), now) == "running"


def test_a_cancelled_task_keeps_the_views_waiting_or_clears_a_button_tasks():
    """Between a change's cancel and the new job's start the power's views wait as for a
    running job (Shiny's result() of a cancelled task cleared them); the assurance's and
    realism's, which run again only on their button, are cleared."""
    now = object()
    cancelled = _FinishedTask(None, status="cancelled")
    with pytest.raises(SilentOperationInProgressException):
        fresh_result(cancelled, now)
    with pytest.raises(SilentException) as cleared:
        fresh_result(cancelled, now, queued=False)
    assert not isinstance(cleared.value, SilentOperationInProgressException)
    assert fresh_result(_FinishedTask((now, 0.58)), now) == (now, 0.58)


def test_a_refusal_is_compared_with_the_page_like_a_result():
    """An explorer review: a refused search (a 2% slowing: n beyond the page's limit) raised
    from the task before its request was compared; the next change's views then got that
    stale message while waiting for their job, the browser dropped the whole update, and
    the headline stayed the 2% design's power under "up to date". The refusal is the task's
    value now: shown for its own request, waiting like a result for an earlier one, and read
    as an error, never as "up to date"."""
    from designs.errors import InputError

    earlier, now = object(), object()
    refused = InputError("n beyond the page's limit")
    with pytest.raises(SilentOperationInProgressException):
        fresh_outcome((earlier, refused), now)
    with pytest.raises(InputError, match="beyond the page's limit"):
        fresh_outcome((now, refused), now)
    assert task_state(_FinishedTask((now, refused)), now) == "refused"  # said, not "up to date"
    assert task_state(_FinishedTask((earlier, refused)), now) == "running"
