"""The page's own checks and lines (no browser): looks in months checked against the trial's
end before anything is simulated, the deaths control's range, a search too large for the
page refused by its closed form, an uploaded file named by its own name, the status line's
trial count, the posterior rule's prior of the effect, and a port left in TIME_WAIT."""

from __future__ import annotations

import html as html_text
import socket

import pytest

from designs.errors import InputError
from designs.explorer import compute, limits, views
from designs.explorer.app import port_free
from designs.explorer.controls import MAX_PAGE_PATIENTS, base_values, design_from_values
from designs.explorer.server import Request, upload_message
from designs.explorer.task_state import status_text

SEED = 9
TRIALS = 40


def _values(design, **controls):
    values = base_values(design)
    values.update(seed=SEED, trials=TRIALS, **controls)
    return values


def test_looks_in_months_before_the_trials_end_are_refused_beside_the_looks(base):
    """A review: "months 5, 10" (the last look before the last patient's last visit) was
    accepted by the controls and refused only once the job had started."""
    design, errors = design_from_values(base, _values(base, looks="months 5, 10"))
    assert design is None
    assert "the last look (month 10) is before the last patient's last visit" in errors["looks"]
    design, errors = design_from_values(base, _values(base, looks="months 18, 60"))
    assert errors == {} and list(design.interim.look_months) == [18, 60]


@pytest.mark.parametrize("deaths", [100, 150, -1])
def test_the_deaths_control_takes_a_percentage_per_month_below_100(base, deaths):
    design, errors = design_from_values(base, _values(base, death=deaths))
    assert design is None
    assert errors["death"].startswith(f"deaths = {deaths:g}% per month: must be in [0, 100)")


def test_a_death_hazard_below_100_percent_per_month_is_the_designs(base):
    design, errors = design_from_values(base, _values(base, death=2.5))
    assert errors == {} and design.dropout.death_monthly_hazard == pytest.approx(0.025)


def test_a_search_above_the_pages_patients_is_refused_before_simulating(base):
    """A review: a tiny effect sent the page's search towards 50,000 per arm. The closed form
    of a 2% slowing puts 90% power near 40,000 per arm (25/2 squared times ~250)."""
    tiny = base.with_overrides({"effect.value": 0.02})
    job = compute.Job()
    with pytest.raises(InputError, match="above the 5,000 per arm this page simulates"):
        compute.sample_size_view(tiny, SEED, TRIALS, job)
    assert job.done == 0 and job.total == 0  # nothing simulated, nothing announced
    assert MAX_PAGE_PATIENTS // 2 == 5000
    limits.check_page_search(base)  # the default design's n (about 250 per arm) is searched


def test_an_uploaded_files_message_names_the_file_not_the_servers_copy():
    path = "/tmp/fileupload-abc/tmp123/0.toml"
    message = f"design file '{path}': trial.n_per_arm = -3: must be >= 2 (patients per arm)"
    shown = upload_message(message, path, "my_trial.toml")
    assert shown == "my_trial.toml: trial.n_per_arm = -3: must be >= 2 (patients per arm)"
    assert "/tmp" not in upload_message(f"{path} is not valid", path, "my_trial.toml")


def test_the_status_line_counts_the_trials_while_a_job_runs():
    line = status_text("running", "initial", count=(12_000, 40_000))
    assert line == "simulating: power ... (12,000 of 40,000 trials planned so far)"
    assert status_text("running", "running", count=(0, 0)) == "simulating: power, sample size ..."
    assert status_text("success", "success", count=(5, 5)) == "up to date"
    # a first load compiles for minutes before any trial: said so (a non-programmer's review)
    first = status_text("running", "initial", count=(0, 0), compiling=True)
    assert first.startswith("simulating: power ... (compiling the simulation kernels: first run")


def test_the_posterior_rule_shows_its_prior_of_the_effect_as_the_command_line(base, cli):
    design = base.with_overrides({"trial.n_per_arm": 20, "decision.rule": "posterior"})
    view = compute.power_view(design, SEED, TRIALS)
    page = html_text.unescape(str(views.power_html(Request("default", base, design, 9, 40), view)))
    argv = ["power", "--set", "trial.n_per_arm=20", "--decision", "posterior"]
    printed = cli(*argv, "--seed", str(SEED), "--trials", str(TRIALS)).decode().splitlines()
    line = next(x for x in printed if x.startswith("prior of the effect (points/month): "))
    assert line in page
    frequentist = compute.power_view(base, SEED, TRIALS)
    req = Request("default", base, base, SEED, TRIALS)
    assert "prior of the effect" not in str(views.power_html(req, frequentist))


def test_a_port_left_in_time_wait_is_free_and_a_listened_port_is_not():
    """A review: restarting on the same --port was refused for about a minute, the port's
    TIME_WAIT after the last run (uvicorn itself binds with SO_REUSEADDR)."""
    with socket.socket() as listener:  # as uvicorn's (asyncio's) listening socket
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert not port_free(port)
        client = socket.create_connection(("127.0.0.1", port))
        conn, _ = listener.accept()
        conn.close()  # the server's side closes first: its port goes to TIME_WAIT
        client.recv(1)
        client.close()
    with socket.socket() as probe:  # the plain bind port_free did before is refused
        with pytest.raises(OSError):
            probe.bind(("127.0.0.1", port))
    assert port_free(port)


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"decision.rule": "posterior"},
        {"interim.looks": [0.5, 1.0]},
        {"interim.looks": [0.5, 1.0], "decision.rule": "posterior"},
    ],
    ids=["fixed", "posterior", "looks", "posterior-looks"],
)
def test_the_power_jobs_count_reaches_the_trials_it_announced(base, fields):
    """The status line's count: the power card announces its trials before simulating (as
    the command line's bar) and simulates exactly those."""
    design = base.with_overrides({"trial.n_per_arm": 20, **fields})
    job = compute.Job()
    compute.power_view(design, SEED + 1, TRIALS, job)  # a seed no other test caches
    assert job.total > 0 and job.done == job.total


@pytest.mark.parametrize("text", ["0.5,,1", "months 18,,60", "0.5, 1,"])
def test_looks_with_an_empty_item_between_commas_are_refused(base, text):
    """A fuzz review: "0.5,,1" (a number lost) was read as 0.5, 1."""
    design, errors = design_from_values(base, _values(base, looks=text))
    assert design is None and "an empty item between commas" in errors["looks"]


def test_the_pages_search_stays_under_its_ceiling_and_says_so(base):
    """A review: with joint_rank and a 12.5% slowing the closed form (3,897 per arm) let the
    search through, and it simulated up to 8,032 per arm. Under a ceiling the sizes stay
    below it and a target beyond it is not reached; elsewhere the command line's 50,000."""
    from designs.planning.sample_size import find_sample_size
    from designs.planning.sample_size_gs import find_group_sequential_sample_size
    from designs.planning.size_limit import MAX_SIZE, ceiling, max_size

    with ceiling(60):
        assert max_size() == 60
        fixed = find_sample_size(base, (0.8, 0.9), TRIALS, SEED, bootstrap=20)
        looks = base.with_overrides(
            {"interim.looks": [0.5, 1.0], "trial.sides": 1, "trial.alpha": 0.025}
        )
        gs = find_group_sequential_sample_size(looks, (0.8,), TRIALS, SEED, bootstrap=20)
    assert max_size() == MAX_SIZE
    assert fixed.curve.sizes.max() <= 60 and not any(r.reached for r in fixed.rows)
    assert [r.n for r in fixed.rows] == [fixed.curve.sizes.max()] * 2
    assert gs.curve.sizes.max() <= 60 and not gs.rows[0].reached
    tables = {fmt: "" for fmt in ("md", "csv", "latex")}
    view = compute.SampleSizeView(fixed, tables, b"png", 0.0, base, SEED, TRIALS)
    shown = str(views.sample_size_html(Request("default", base, base, SEED, TRIALS), view))
    assert "target not reached: this page simulates at most 5,000 per arm" in shown
    assert f"power: n over {fixed.rows[0].n:,} per arm (not reached)" in shown


def test_the_closed_form_refuses_only_far_above_the_pages_limit(base):
    """Between the limit and twice it the search runs under its ceiling (the simulated n is
    0.75-1.8 times the closed form's, by analysis and rule)."""
    limits.check_page_search(base.with_overrides({"effect.value": 0.0625}))  # ~3,900 per arm
    limits.check_page_search(base.with_overrides({"effect.value": 0.04}))  # ~9,500 per arm
    with pytest.raises(InputError, match="far above the 5,000 per arm"):
        limits.check_page_search(base.with_overrides({"effect.value": 0.035}))  # ~12,400
    # a vanishing effect: n in a few digits, not 25 (a review: 152,222,066,438,388,873,953,280)
    with pytest.raises(InputError, match=r"at about 1\.\de\+2\d patients per arm"):
        limits.check_page_search(base.with_overrides({"effect.value": 1e-11}))


def test_an_uploaded_design_larger_than_the_page_simulates_is_refused(base):
    """As the patients box refuses 5,001 per arm, the upload refuses a file with more (a
    robustness review: 30,001 per arm was accepted and simulated for minutes); the message
    names the file's field."""
    limits.check_page_size(base)
    limits.check_page_size(base.with_overrides({"trial.n_per_arm": MAX_PAGE_PATIENTS // 2}))
    with pytest.raises(InputError, match=r"trial.n_per_arm = 30,001: the page simulates at most"):
        limits.check_page_size(base.with_overrides({"trial.n_per_arm": 30_001}))
    unequal = base.with_overrides({"trial.allocation.active": 2, "trial.n_total": 12_000})
    with pytest.raises(InputError, match=r"trial.n_total = 12,000: .* at most 10,000 in total"):
        limits.check_page_size(unequal)


def test_an_interval_without_its_upper_end_says_so():
    """An explorer review: "95% Monte Carlo interval of the estimate 6,044-not reached"."""
    from designs.explorer.views import interval_text

    assert interval_text(174, 182) == "174-182"
    assert interval_text(6044, -1) == "from 6,044, its upper end not reached"
