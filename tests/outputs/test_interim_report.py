"""The report of a design with interim looks (issue 16): the interim design beside the fixed
one (tables in Markdown, CSV and LaTeX, the methods paragraph, the boundaries figure), and
the rest of the report about the same design without looks."""

from __future__ import annotations

import csv
import io
import itertools

import pytest

from designs.outputs.numbers import se_text
from designs.outputs.report import write_report
from designs.planning.group_sequential import group_sequential_power
from designs.planning.power_curve import design_at
from designs.planning.report_plan import plan_report
from designs.spec import load_design

pytestmark = pytest.mark.slow  # one small report (about 30 s on a loaded 2-core machine)

SEED = 5
TRIALS = 60  # plumbing; the statistics of the group-sequential design are tested in planning


def _design():
    return load_design().with_overrides(
        {
            "effect.value": 0.4,
            "trial.sides": 1,
            "trial.alpha": 0.025,
            "interim.looks": [0.5, 1.0],
            "interim.futility": "obf",
        }
    )


@pytest.fixture(scope="module")
def plan():
    return plan_report(_design(), trials=TRIALS, seed=SEED, targets=(0.8,))


@pytest.fixture(scope="module")
def folder(tmp_path_factory, plan):
    out = tmp_path_factory.mktemp("gs") / "report"
    return out, {f.name for f in write_report(plan, out)}


def test_rest_of_the_report_is_the_fixed_design(plan):
    gs = plan.interim
    assert gs is not None and gs.design.interim.sequential
    assert not plan.design.interim.sequential
    assert plan.sample_size is gs.sample_size.fixed
    assert plan.operating["type_i_error"] == gs.fixed_type_i_error


def test_interim_numbers_are_those_of_the_design_at_n_max(plan):
    """The report's operating characteristics at n max are group_sequential_power's at that
    size and seed (same trials), and the sample-size row's; those under no effect come from
    enough trials for the type I error's MC SE (10,834 at 0.025; a review: 1 rejection in
    300 read as 0.0033 beside the fixed design's 0.0243), the same seed."""
    from designs.planning.operating import type_i_trials

    gs = plan.interim
    d = design_at(_design(), gs.row.n_max)
    ref = group_sequential_power(d, TRIALS, SEED).to_dict()
    null = type_i_trials(0.025, TRIALS)
    assert null == 10_834
    ref0 = group_sequential_power(d, null, SEED).to_dict()
    got = gs.summary.to_dict()
    assert got["trials_h0"] == null
    for key, value in got.items():
        expected = ref0 if key.endswith("_h0") or "type_i" in key else ref
        assert value == expected[key], key
    assert gs.summary.mc_se_type_i_error <= 0.0016
    assert gs.row.power == ref["power_favourable"]
    assert gs.row.expected_n_total_h1 == ref["expected_n_total"]
    assert gs.z_h1.shape == gs.z_h0.shape == (TRIALS, 2)


def test_interim_files_and_figure(folder):
    from PIL import Image

    out, names = folder
    files = ("interim.md", "interim.csv", "interim_looks.csv", "interim.tex")
    for name in (*files, "interim_boundaries.pdf"):
        assert name in names
    with Image.open(out / "interim_boundaries.png") as im:
        assert im.info["dpi"] == pytest.approx((300, 300), abs=0.5)
    readme = (out / "README.md").read_text()
    assert "interim.md" in readme and "interim_boundaries" in readme
    assert "[interim]" in (out / "design.toml").read_text()  # the input design, as given


def test_boundaries_figure_states_the_assumptions(plan, monkeypatch, tmp_path):
    """A figures review: the boundaries figure alone did not say under what effect, decline
    and dropout its z and stopping probabilities were simulated. Its heading now does, above
    the panels' titles."""
    from designs.outputs import figures_interim

    caught = []
    monkeypatch.setattr(figures_interim, "save", lambda fig, path: caught.append(fig))
    figures_interim.interim_figure(plan.interim, tmp_path / "b.png")
    (fig,) = caught
    heading = fig._suptitle.get_text()
    assert "alpha 0.025 one-sided" in heading and "40% slowing (+0.200 points/month)" in heading
    assert "mean decline -0.5 points/month" in heading and "gone by month 12" in heading
    fig.canvas.draw()
    top = fig._suptitle.get_window_extent()
    for ax in fig.axes:
        assert ax.title.get_window_extent().y1 < top.y0  # above the panels, not over them
    assert top.y1 <= fig.bbox.y1


def test_markdown_and_csv_carry_the_plan(plan, folder):
    out, _ = folder
    s, row = plan.interim.summary, plan.interim.row
    md = (out / "interim.md").read_text()
    assert f"| {row.n_fixed} | {row.n_max} |" in md
    assert f"{s.expected_n_total:.1f}" in md and f"{s.expected_months_h0:.1f}" in md
    assert f"{s.efficacy_boundaries_z[0]:.3f}" in md and f"{s.nominal_p[0]:.5f}" in md
    first, second = (out / "interim.csv").read_text(), (out / "interim_looks.csv").read_text()
    assert "\n\n" not in first and "\n\n" not in second  # one table per CSV file
    compared = {r["quantity"]: r for r in csv.DictReader(io.StringIO(first))}
    assert float(compared["expected_n_total_h1"]["interim"]) == pytest.approx(
        s.expected_n_total, rel=1e-5
    )
    assert float(compared["inflation"]["interim_low"]) == pytest.approx(row.inflation_low, 1e-5)
    looks = list(csv.DictReader(io.StringIO(second)))
    assert [int(r["look"]) for r in looks] == [1, 2]
    for k, r in enumerate(looks):
        assert float(r["p_efficacy_h1"]) == pytest.approx(s.p_stop_efficacy[k], abs=1e-6)
        assert float(r["p_futility_h0"]) == pytest.approx(s.p_stop_futility_h0[k], abs=1e-6)
        assert float(r["efficacy_z"]) == pytest.approx(s.efficacy_boundaries_z[k], rel=1e-5)


def test_latex_is_escaped(folder):
    out, _ = folder
    tex = (out / "interim.tex").read_text()
    assert tex.count("\\begin{table}") == 2 and "\\toprule" in tex
    # the looks' 12 columns scaled to the text width, the design table's labels wrapping (a
    # protocol writer's review: both ran past the margin); graphicx named for the first
    looks = tex[tex.index("tab:interim-looks") :]
    assert looks.index("\\resizebox{\\linewidth}{!}{") < looks.index("\\begin{tabular}")
    assert looks.index("\\end{tabular}\n}") > 0
    assert "\\begin{tabular}{p{0.5\\linewidth}rr}" in tex and "usepackage{graphicx}" in tex
    assert "lmm\\_slope" in tex and "95\\% MC interval" in tex
    body = tex.replace("\\%", "").split("\n")
    assert not any("%" in line for line in body if not line.startswith("%"))


def test_methods_paragraph(plan, folder):
    out, _ = folder
    text = (out / "methods.md").read_text()
    assert "**Interim analyses.**" in text
    assert f"{plan.interim.row.n_max} per arm against {plan.interim.row.n_fixed}" in text
    # its numbers at n max (a review: the power was printed as its placeholder)
    s = plan.interim.summary
    assert f"at that size the power was {s.power_favourable:.3f} (MC SE" in text
    assert "{" not in text and "}" not in text
    # how the looks were monitored, as a regulator asks (a protocol writer's review: only
    # interim.md's notes said it)
    assert f"information I_max = {s.information_max:.1f} (points/month)^-2" in text
    assert "an interim look that reached I_max was the trial's final analysis" in text
    assert "carried to the z scale through its own degrees of freedom" in text
    derived = f"futility boundaries were derived under an effect of {s.futility_effect:+.3f}"
    assert (derived in text) == (s.futility_effect is not None)
    assert "Lan KKG, DeMets DL (1983)" in text and "Jennison C, Turnbull BW (2000)" in text
    # the inputs' list is of the design without looks, but accrual sets what each look sees
    assert "information at each interim look" in text
    # the numbering runs on from the methods' own list into the interim works
    numbers = [int(line.split(".")[0]) for line in text.splitlines() if line[:1].isdigit()]
    assert numbers == list(range(1, len(numbers) + 1))


def test_assurance_of_the_interim_design_beside_the_fixed_one(plan, fake_posterior):
    """With a posterior, the table and methods give the interim design's assurance (success
    at any look) at n max beside the fixed design's at its n: the numbers of
    group_sequential_assurance and assurance_from_draws on the same draws and seed."""
    from designs.outputs.interim_tables import interim_methods, interim_table
    from designs.planning.assurance import assurance_from_draws
    from designs.planning.assurance_gs import group_sequential_assurance
    from designs.planning.posterior import posterior_draws
    from designs.planning.report_interim import with_assurance

    idata = fake_posterior()
    draws = {tr: posterior_draws(idata, tr) for tr in ("proportional", "absolute")}
    n = plan.interim.fixed_row.n
    fixed = {
        tr: assurance_from_draws(design_at(plan.design, n), x, TRIALS, SEED, transport=tr)
        for tr, x in draws.items()
    }
    gs = with_assurance(plan.interim, draws, fixed, TRIALS, SEED)
    ref = group_sequential_assurance(
        design_at(_design(), gs.row.n_max), draws["absolute"], TRIALS, SEED, "absolute"
    )
    assert gs.assurance["absolute"].to_dict() == ref.to_dict()
    md = interim_table(gs, "md")
    a, f = ref, fixed["absolute"]
    assert (
        f"| assurance, absolute transport (MC SE) | {f.assurance:.3f} ({se_text(f.mc_se)}) | " in md
    )
    assert f"{a.assurance:.3f} ({se_text(a.mc_se)}) |" in md
    assert f"{a.expected_n_total:.1f}" in md
    rows = {
        r["key"]: r
        for r in csv.DictReader(io.StringIO(interim_table(gs, "csv").replace("quantity", "key", 1)))
    }
    assert float(rows["assurance_proportional"]["interim"]) == pytest.approx(
        gs.assurance["proportional"].assurance, abs=1e-6
    )
    assert "probability of success at any look" in interim_methods(gs)


def test_methods_name_the_way_the_looks_were_given_and_the_accrual_ramp():
    """Looks at fractions of patients completed, with an accrual ramp-up: the methods
    paragraph says so (it once said 'information fractions' and 'uniform accrual')."""
    from designs.outputs.interim_tables import interim_methods
    from designs.planning.report_interim import plan_interim

    d = load_design().with_overrides(
        {
            "trial.sides": 1,
            "trial.alpha": 0.025,
            "effect.value": 0.4,
            "interim.look_completed": [0.5, 1.0],
            "accrual.ramp_rate_per_month": [2.0],
            "accrual.ramp_until_month": [4.0],
        }
    )
    text = interim_methods(plan_interim(d, (0.8,), 60, 5))
    assert "when fractions 0.5, 1 of the patients had passed their last visit" in text
    assert "accrual of 2/month to month 4, then 8/month" in text
    assert "uniform accrual" not in text


def test_assurance_of_the_interim_design_under_the_posterior_rule(plan, fake_posterior):
    """Under the posterior rule the report's interim design gets its assurance too (it was
    left out while assurance with looks refused the rule): the numbers of
    group_sequential_assurance with the rule's prior at n max, in the table and in the
    posterior rule's methods paragraph. The plan's interim part is reused with the design
    changed to the posterior rule and its summary at n max (with_assurance reads only the
    design and n max)."""
    from dataclasses import replace

    from designs.analyses.decision import NormalMixture
    from designs.outputs.interim_posterior import posterior_methods
    from designs.outputs.interim_tables import interim_comparison_rows, interim_table
    from designs.planning.assurance import assurance_from_draws
    from designs.planning.assurance_gs import group_sequential_assurance
    from designs.planning.decision_looks import posterior_looks_power
    from designs.planning.posterior import posterior_draws
    from designs.planning.report_interim import fixed_design, with_assurance

    rule = _design().with_overrides(
        {"interim.futility": "none", "decision.rule": "posterior", "decision.prior": "robust"}
    )
    prior = NormalMixture.normal(0.1, 0.05).mix(NormalMixture.normal(0.0, 10.0), 0.5)
    at = design_at(rule, plan.interim.row.n_max)
    summary = posterior_looks_power(at, TRIALS, SEED, prior=prior)
    interim = replace(plan.interim, design=rule, summary=summary, threshold_z=(2.5, 2.0))
    draws = {"absolute": posterior_draws(fake_posterior(), "absolute")}
    n = plan.interim.fixed_row.n
    at_n = design_at(fixed_design(rule), n)
    fixed = {"absolute": assurance_from_draws(at_n, draws["absolute"], TRIALS, SEED, prior=prior)}
    gs = with_assurance(interim, draws, fixed, TRIALS, SEED, prior=prior)
    ref = group_sequential_assurance(at, draws["absolute"], TRIALS, SEED, "absolute", prior=prior)
    assert gs.assurance["absolute"].to_dict() == ref.to_dict()
    assert ref.rule == "posterior" and ref.prior == "robust"
    rows = {r["key"]: r for r in interim_comparison_rows(gs)}
    assert rows["assurance_absolute"]["interim"] == ref.assurance
    assert rows["assurance_absolute"]["fixed"] == fixed["absolute"].assurance
    assert f"{ref.assurance:.3f} ({se_text(ref.mc_se)}) |" in interim_table(gs, "md")
    text = posterior_methods(gs)
    assert f"probability of success at any look was {ref.assurance:.3f}" in text


def test_design_files_are_the_fixed_design_and_the_interim_design_at_n_max(plan, folder):
    """design_chosen.toml is the FIXED design at its n and says so; the interim design at
    its n max is design_chosen_interim.toml (independent review: it was in no TOML)."""
    out, names = folder
    assert "design_chosen_interim.toml" in names
    fixed_text = (out / "design_chosen.toml").read_text()
    assert fixed_text.startswith("# The FIXED design") and "\n[interim]" not in fixed_text
    fixed = load_design(out / "design_chosen.toml")
    assert not fixed.interim.sequential
    assert fixed.trial.n_per_arm == plan.interim.fixed_row.n
    text = (out / "design_chosen_interim.toml").read_text()
    assert text.startswith("# The INTERIM design")
    gs = load_design(out / "design_chosen_interim.toml")
    assert gs.interim.sequential and tuple(gs.interim.looks) == (0.5, 1.0)
    assert gs.trial.n_per_arm == plan.interim.row.n_max
    assert gs == design_at(_design(), plan.interim.row.n_max)
    readme = (out / "README.md").read_text()
    assert "`design_chosen_interim.toml`" in readme
    row = next(line for line in readme.splitlines() if line.startswith("| `design_chosen.toml`"))
    assert "FIXED design" in row


@pytest.mark.parametrize("spending", ["obf", "hsd"])
def test_methods_cite_conditional_power_futility(spending):
    """A reliability review: `report --futility cp:0.1` simulated everything, then failed
    with KeyError 'lan_wittes' (its reference had no in-text citation)."""
    from designs.outputs.interim_tables import interim_methods, interim_reference_keys
    from designs.planning.report_interim import plan_interim

    d = _design().with_overrides(
        {"interim.futility": "cp", "interim.futility_cp": 0.1, "interim.spending": spending}
    )
    interim = plan_interim(d, (0.8,), 60, 5)
    assert "lan_wittes" in interim_reference_keys(interim)
    assert "Lan & Wittes 1988" in interim_methods(interim)


def test_the_readme_gives_n_max_beside_the_fixed_n(plan, folder):
    """A grant writer's review: the README's first line gave the fixed design's n only, and
    its 'Paste first' list left the interim tables out."""
    out, _ = folder
    readme = (out / "README.md").read_text()
    row = plan.interim.row
    head = readme.split("## Paste first")[0]
    assert f"80% power: n = {plan.sample_size.rows[0].n} per arm" in head
    assert f"n max = {row.n_max} per arm ({row.n_total_max} randomised at most, " in head
    assert f"{row.expected_n_total_h1:.0f} expected under the effect)" in head
    # a protocol writer's review: the trial's own n max first, the fixed n after it
    first = readme.splitlines()[2]
    assert first.startswith("With the interim looks (") and "Without the looks (the fixed" in first
    assert first.index("n max =") < first.index("80% power: n =")
    paste = readme.split("## Paste first")[1].split("##")[0]
    assert "2. `interim.tex` or `interim.md`" in paste
    assert "3. `sample_size.tex`" in paste and "the fixed design's sample-size table" in paste


def test_the_fixed_designs_tables_say_whose_they_are(folder):
    """A protocol writer's review: in a report with looks, sample_size.tex and
    operating_characteristics.tex (pasted first) gave the fixed design's n and calendar
    length with no word that the trial with looks is another design."""
    out, _ = folder
    scope = (
        "Fixed design, without the interim looks (the interim table gives the design with looks)."
    )
    for name in ("sample_size.md", "sample_size.tex", "operating_characteristics.tex"):
        text = " ".join((out / name).read_text().split())  # LaTeX wraps its caption
        assert scope in text, name
    for name in ("operating_characteristics.md", "realism_sensitivity.md"):
        assert (out / name).read_text().startswith(scope.rstrip(".")), name
    for name in ("interim.md", "interim.tex", "methods.md", "README.md"):
        assert "Fixed design, without the interim looks" not in (out / name).read_text(), name
    # the methods' sample-size paragraph is the fixed design's too (a diff review)
    assert "**Sample size (the design without interim looks; with them, below).** " in (
        (out / "methods.md").read_text()
    )


def test_interim_notes_say_how_their_stopping_rates_differ_from_rpacts(folder):
    """An interim-analysis review: spending by each trial's observed information stops 0.033
    at the first of three looks where rpact's table at the planned fractions gives 0.022
    (same power), and expected patients are not rpact's expected information."""
    out, _ = folder
    notes = " ".join((out / "interim.md").read_text().split())
    assert "can differ from a table at the planned fractions" in notes
    assert "not the expected information of rpact's or EAST's tables" in notes


def test_the_type_i_error_with_futility_ignored_is_in_every_interim_file(plan, folder):
    """A diff review: no test read the new rows. The design here has OBF-type futility, so
    interim.md, .csv, .tex and methods.md give the level it claims beside the error with
    futility followed, and the charter's planned information and boundaries in points/month."""
    out, _ = folder
    s = plan.interim.summary
    assert s.type_i_error <= s.type_i_error_nonbinding
    md = (out / "interim.md").read_text()
    assert "| type I error with futility ignored (non-binding; MC SE) |" in md
    assert f"{s.type_i_error_nonbinding:.4f} (" in md
    assert f"Planned maximum information {s.information_max:.1f} (points/month)^-2" in md
    rows = {
        r["quantity"]: r for r in csv.DictReader(io.StringIO((out / "interim.csv").read_text()))
    }
    nb = rows["type_i_error_nonbinding"]
    assert float(nb["interim"]) == pytest.approx(s.type_i_error_nonbinding, rel=1e-5)
    assert int(nb["trials"]) == s.trials_h0
    assert (
        "type I error with futility ignored (non-binding; MC SE)"
        in (out / "interim.tex").read_text()
    )
    methods = (out / "methods.md").read_text()
    assert " (with futility ignored, the level a non-binding design claims: " in methods


def test_interim_csv_counts_the_fixed_designs_trials_apart(plan, folder):
    """A paste-ready review: one ``trials`` column gave the interim design's trials beside
    the fixed design's power, which the search simulated on its own (second-stage) trials,
    800 where the interim design had 200; ``fixed_trials`` gives those, the fixed type I
    error's null trials and nothing where a fixed value has no Monte Carlo error."""
    out, _ = folder
    gs = plan.interim
    rows = {
        r["quantity"]: r for r in csv.DictReader(io.StringIO((out / "interim.csv").read_text()))
    }
    assert int(rows["power"]["trials"]) == gs.summary.trials == TRIALS
    assert int(rows["power"]["fixed_trials"]) == gs.fixed_row.trials
    assert int(rows["type_i_error"]["fixed_trials"]) == plan.operating["type_i_trials"]
    assert int(rows["type_i_error_nonbinding"]["fixed_trials"]) == gs.fixed_type_i_trials
    assert rows["n_per_arm"]["fixed_trials"] == rows["expected_months_h0"]["fixed_trials"] == ""


def test_a_two_sided_design_without_futility_says_so_in_its_looks_table():
    """A paste-ready review: with no futility rule the futility columns read "0.000 (0.000)"
    and the notes said futility was "followed in the simulation"; in a two-sided design
    "P(stop, efficacy) no effect" added the crossings favouring placebo without saying so
    (0.0050 + 0.0466 = 0.0516, the two-sided type I error)."""
    from designs.outputs.interim_tables import interim_table

    design = load_design().with_overrides({"effect.value": 0.4, "interim.looks": [0.5, 1.0]})
    interim = plan_report(design, trials=TRIALS, seed=SEED, targets=(0.8,)).interim
    md = interim_table(interim, "md")
    looks = [
        line for line in md.splitlines() if line.startswith("| 1 |") or line.startswith("| 2 |")
    ]
    assert len(looks) == 2
    for line in looks:
        cells = [c.strip() for c in line.strip("|").split("|")]
        # futility z and both P (after look, information x 2, month, randomised, efficacy)
        assert cells[7] == cells[9] == cells[11] == "\u2013", line
    assert "No futility rule." in md and "non-binding" not in md
    assert "includes crossings favouring placebo (harm)" in md
    csv_rows = interim_table(interim, "csv")
    assert "0.000 (0.000)" not in md and csv_rows  # the CSV keeps its numbers
    # a diff review: the flag behind the dashes was written as a CSV column of True/False
    from designs.outputs.interim_csv import interim_looks_csv

    header = interim_looks_csv(interim).splitlines()[0].split(",")
    assert "p_futility_h0" in header and not [c for c in header if "futility" == c.strip("_")]
    # the posterior rule's looks table likewise (its cells from a row of numbers)
    from designs.outputs.interim_posterior import posterior_look_cells

    row = {
        "look": 1, "information_fraction": 0.5, "observed_fraction": 0.5, "month": 20.0,
        "n_entered": 150.0, "threshold": 0.995, "threshold_z": 2.576, "p_efficacy_h1": 0.2,
        "se_efficacy_h1": 0.01,
        "p_futility_h1": 0.0, "se_futility_h1": 0.0, "p_efficacy_h0": 0.005,
        "se_efficacy_h0": 0.001, "p_futility_h0": 0.0, "se_futility_h0": 0.0, "trials_h0": 4000,
    }  # fmt: skip
    cells = posterior_look_cells({**row, "_futility": False})
    assert cells[4] == "150.0" and cells[8] == cells[10] == "\u2013"
    assert posterior_look_cells({**row, "_futility": True})[8] == "0.000 (0.000)"


def test_the_looks_table_gives_the_patients_randomised_by_each_look(plan, folder):
    """A protocol writer's review: the number randomised at each look, which a DSMB charter
    states, had to be worked out from accrual by hand (about 185 and 325 at months 23 and 41
    of a 3-look design of 206 per arm)."""
    out, _ = folder
    s = plan.interim.summary
    entered = s.n_entered_by_look
    assert len(entered) == len(s.looks) and entered[-1] == s.n_total  # all in by the end
    assert all(0 < a < b for a, b in itertools.pairwise(entered))
    rows = list(csv.DictReader(io.StringIO((out / "interim_looks.csv").read_text())))
    assert [float(r["n_entered"]) for r in rows] == pytest.approx(entered, abs=1e-3)
    assert "randomised by then (mean)" in (out / "interim.md").read_text()
    assert f"{entered[0]:.1f}" in (out / "interim.tex").read_text()


def test_every_targets_n_max_and_its_interval_are_in_interim_md(plan):
    """A report review: the 90% target's n max was in the README alone, and no file gave
    n max's Monte Carlo interval (only the inflation's). interim.md ends with every target's
    row as `sample-size --looks` gives it, when there is more than one."""
    from dataclasses import replace

    from designs.outputs.interim_tables import interim_table

    interim = plan.interim
    assert "Every target" not in interim_table(interim, "md")  # one target: the tables above
    r = interim.sample_size.rows[0]
    ninety = replace(r, target_power=0.9, n_max=r.n_max + 40, n_low=r.n_max + 37)
    two = replace(interim, sample_size=replace(interim.sample_size, rows=(r, ninety)))
    md = interim_table(two, "md")
    assert "Every target (the tables above are the 80% target's design)" in md
    # its rates are the search's own trials, the tables' more (a docs review: 0.0167 over 300
    # beside 0.0237 over 10,834 with no word between them)
    s = interim.summary
    assert (
        f"on the search's own {interim.sample_size.trials:,} trials per size, so the 80% row "
        f"differs from the tables above ({s.trials:,} trials under the effect" in md
    )
    row90 = next(line for line in md.splitlines() if line.startswith("| 90% |"))
    assert f"| {r.n_max + 40} | {r.n_max + 37}-{r.n_high} |" in row90


def test_interim_tables_carry_the_fixed_designs_cautions(plan):
    """A protocol writer's review: n max is the inflation times the fixed design's n, which
    sample_size.md flagged as likely short, while interim.md and interim.tex said nothing."""
    from designs.outputs.interim_tables import interim_table

    caution = "WARNING: target 0.8: power on fresh trials at n = 181 is 0.790 (MC SE 0.0029)."
    md = interim_table(plan.interim, "md", [caution])
    assert md.startswith(f"**The fixed design's n, which n max is scaled from: {caution}**")
    assert md.endswith(interim_table(plan.interim, "md"))  # the tables as they were
    tex = interim_table(plan.interim, "latex", [caution])
    assert "The fixed design's n, which n max is scaled from: WARNING" in tex
    assert "WARNING" not in interim_table(plan.interim, "latex")
    import tomllib

    from designs.outputs.report_index import chosen_interim_header
    from designs.planning.power_curve import design_at

    header = chosen_interim_header(plan.interim.row, [caution])
    assert "# The fixed design's n, which n max is scaled from: WARNING" in header
    interim_toml = header + design_at(plan.interim.design, plan.interim.row.n_max).to_toml()
    assert tomllib.loads(interim_toml)["interim"]["looks"]
    assert "WARNING" not in chosen_interim_header(plan.interim.row)


def test_the_methods_give_the_unrounded_fixed_n_the_inflation_multiplies(plan):
    """A paste-ready review: "183 per arm ... the inflation 1.004 ... times the fixed
    design's n (183)" does not multiply out; n max is the inflation times the fixed search's
    unrounded n, rounded up."""
    import math

    from designs.outputs.interim_tables import interim_methods

    row = plan.interim.row
    text = interim_methods(plan.interim)
    assert f"times the fixed design's unrounded n ({row.n_fixed_estimate:.1f}), rounded up" in text
    assert row.n_max == math.ceil(row.inflation * row.n_fixed_estimate - 1e-9)
