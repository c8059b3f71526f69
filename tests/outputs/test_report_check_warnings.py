"""What a report says when its own fresh-trial check contradicts n, and valid JSON files
(review of the paste-ready outputs)."""

import json
import math
from types import SimpleNamespace

from designs.outputs.json_text import json_text
from designs.outputs.methods import missed_check_text
from designs.outputs.operating_tables import operating_characteristics_md
from designs.outputs.report_cautions import fresh_check_block
from designs.planning.operating import calendar_length
from designs.spec import load_design


def _row(target, confirmed, se=0.0075):
    return SimpleNamespace(
        target_power=target,
        fitted_power=target,
        n=233,
        confirmed_power=confirmed,
        confirmed_mc_se=se,
        trials=2000,
        grid_trials=2000,
        refine_trials=0,
        reached=True,
    )


def _calibrated():
    """A stand-in for the report's calibration over prior weights (0, 0.5, 1): the threshold
    that holds the level at each weight and the success probability there."""
    import numpy as np

    return SimpleNamespace(
        weights=np.array([0.0, 0.5, 1.0]),
        threshold=np.array([0.9735, 0.9864, 0.9907]),
        threshold_mc_se=np.array([0.0016, 0.0010, 0.0007]),
        power=np.array([0.724, 0.723, 0.722]),
        power_mc_se=np.array([0.011, 0.011, 0.012]),
    )


def test_a_missed_fresh_check_is_in_the_readme_and_the_methods():
    """Review finding: the default report quoted 178 and 233 per arm (90% needs about 246)
    while its fresh check read 0.767 and 0.871, 3.5 and 3.9 MC SE under the targets; nothing
    in the folder said so. The README and sample_size.md carry the warning with the report
    command to rerun, and the methods paragraph says not to quote that n."""
    design = load_design()
    passed, missed = _row(0.8, 0.797), _row(0.9, 0.871)
    assert fresh_check_block([passed], design) == []
    assert missed_check_text({0.8: passed}) == ""
    block = fresh_check_block([passed, missed], design)
    assert len(block) == 2 and block[1] == ""
    assert block[0].startswith("> **Warning: target 0.9: power on fresh trials at n = 233")
    assert "simulate.py report with this design's options and --trials 8000" in block[0]
    # with the command that made the report: that command, its trials replaced
    typed = fresh_check_block([missed], design, "python simulate.py report --out r --trials 2000")
    assert "python simulate.py report --out r --trials 8000" in typed[0]
    text = missed_check_text({0.8: passed, 0.9: missed})
    assert "WARNING: at the n for 90% power the check on fresh trials misses" in text
    assert "rerun with more trials per point before quoting it" in text


def test_a_posterior_rule_above_its_level_at_n_is_in_the_readme():
    """A regulatory statistician's review: the README opened with n = 144 per arm, which
    held only at a type I error of 0.050 against the one-sided 0.025; the caution was in
    methods.md alone. Two warnings are two paragraphs of the quote."""
    design = load_design().with_overrides({"decision.rule": "posterior", "decision.prior": "vague"})

    def row(target, type1):  # 4,000 null trials: MC SE about 0.0025-0.0034
        return SimpleNamespace(
            **vars(_row(target, target)),
            type_i_error=type1,
            mc_se_type_i_error=math.sqrt(type1 * (1 - type1) / 4000),
            type_i_trials=4000,
            n_per_arm=233,
        )

    assert fresh_check_block([row(0.8, 0.026)], design) == []  # within 2 MC SE of 0.025
    block = fresh_check_block([row(0.8, 0.026), row(0.9, 0.0503)], design)
    assert len(block) == 4 and block[1] == ">" and block[3] == ""
    assert block[0].startswith("> **Warning: target 0.9: the posterior rule's type I error")
    assert "0.0503" in block[0] and "one-sided level 0.025" in block[0]
    assert "n is larger" in block[2] and "borrowing" not in block[2]  # a vague prior
    robust = design.with_overrides({"decision.prior": "robust", "decision.prior_weight": 0.5})
    block = fresh_check_block([row(0.9, 0.0503)], robust)
    assert "borrowing from phase 2 buys little power" in block[2]
    # under the frequentist test the rows' type I error is not the rule's: no such warning
    assert fresh_check_block([row(0.9, 0.0503)], load_design()) == []
    # a report review: the README gave no figure for the n that holds the level; the
    # report's calibration at the design's weight gives the power there
    calibrated = _calibrated()
    block = fresh_check_block([row(0.9, 0.0503)], robust, calibrated=calibrated)
    assert block[2].endswith(
        "n is larger: at n = 233 the threshold calibrated to it (0.9864, MC SE 0.0010; a "
        "protocol takes the upper end of its interval, simulate.py calibrate) gives a success "
        "probability of 0.723 (MC SE 0.011; prior_weight.md)**"
    )
    other = robust.with_overrides({"decision.prior_weight": 0.3})  # a weight not calibrated
    assert (
        "threshold that holds it"
        not in fresh_check_block([row(0.9, 0.0503)], other, calibrated=calibrated)[2]
    )
    # the methods text says it too (a protocol writer's review: the README alone did)
    from designs.outputs.report_cautions import calibrated_sentence

    above, within = row(0.9, 0.0503), row(0.9, 0.026)
    above.size_name = within.size_name = "n_per_arm"
    assert calibrated_sentence(above, robust, calibrated) == (
        " With the threshold calibrated to the one-sided level 0.025 at 233 per arm (0.9864, "
        "MC SE 0.0010) the success probability is 0.723 (MC SE 0.011; prior_weight.md), so n "
        "for the target is larger with a rule that holds the level."
    )
    assert calibrated_sentence(within, robust, calibrated) == ""  # the level held
    assert calibrated_sentence(above, other, calibrated) == ""  # no calibration at 0.3


def test_undefined_numbers_are_null_in_json_and_n_a_in_markdown():
    """Review finding: operating_characteristics.json held `"bias": NaN` for joint_rank
    (no true value), which strict JSON parsers refuse; the Markdown showed '(+nan)'."""
    oc = {"bias": math.nan, "power": 0.8, "sizes": (1, float("inf"))}
    assert json.loads(json_text(oc)) == {"bias": None, "power": 0.8, "sizes": [1, None]}
    design = load_design().with_overrides({"trial.analysis": "joint_rank"})
    md_oc = {
        "analysis": "joint_rank",
        "n_per_arm": 100,
        "n_placebo": 100,
        "n_active": 100,
        "n_total": 200,
        "type_i_error": 0.05,
        "type_i_error_mc_se": 0.0015,
        "type_i_error_ci95": [0.047, 0.053],
        "type_i_error_trials": 21112,
        "power": 0.8,
        "power_favourable": 0.8,
        "power_mc_se": 0.009,
        "effect": 0.25,
        "effect_kind": "proportional_slowing",
        "effect_points_per_month": 0.125,
        "minimal_detectable_effect_80": 0.25,
        "minimal_detectable_effect_80_points_per_month": 0.125,
        "mean_estimate": 0.0641,
        "bias": math.nan,
        "bias_mc_se": 0.001,
        "expected_completers": 120.0,
        "expected_dropouts": 60.0,
        "expected_deaths": 10.0,
        **calendar_length(design),
        "failed_fits": 0,
        "trials": 2000,
        "seed": 1,
        "version": "0",
    }
    md = operating_characteristics_md(md_oc, design)
    # in the analysis's units (a CAFS review: unlabelled beside rows in points/month)
    assert "+0.0641 probability (n/a: no true value)" in md and "nan" not in md


def test_the_files_standing_on_the_chosen_n_carry_its_cautions(tmp_path):
    """A protocol writer's review: sample_size.md warned that n = 181 was likely short (0.790
    on fresh trials, MC SE 0.0029) while operating_characteristics.md/.tex gave 0.809 at 181
    with no word, and design_chosen.toml, the file most likely reused, said nothing either.
    The cautions on the first target's n now open each of them; none when the check passed."""
    import tomllib

    from designs.outputs.operating_tables import (
        operating_characteristics_md,
        operating_characteristics_tex,
    )
    from designs.outputs.report_cautions import chosen_cautions
    from designs.outputs.report_index import chosen_design_header
    from designs.planning.power_curve import design_at

    design = load_design()
    missed, passed = _row(0.8, 0.776), _row(0.8, 0.801)
    assert chosen_cautions([passed, _row(0.9, 0.85)], design) == []  # the first row only
    (caution,) = chosen_cautions([missed, passed], design)
    assert caution.startswith("WARNING: target 0.8: power on fresh trials at n = 233 is 0.776")
    assert caution.endswith("by simulation error.") and "rerun" not in caution
    from designs.planning.operating import operating_characteristics

    oc = operating_characteristics(design, 30, 100, 3)  # (the table's size is not read here)
    md = operating_characteristics_md(oc, design, [caution])
    assert md.startswith(f"**{caution}**\n")
    assert caution in operating_characteristics_tex(oc, design, [caution])
    assert "WARNING" not in operating_characteristics_md(oc, design)
    missed.size_name = passed.size_name = "n_per_arm"
    header = chosen_design_header(missed, None, [caution])
    assert "# WARNING: target 0.8: power on fresh trials" in header
    assert all(line.startswith("#") for line in header.splitlines())
    toml = header + design_at(design, 233).to_toml()
    assert tomllib.loads(toml)["trial"]["n_per_arm"] == 233  # still a design file
    assert "WARNING" not in chosen_design_header(passed)


def test_the_methods_say_why_the_rules_type_i_errors_differ():
    """A protocol writer's review: 0.0470, 0.0448 and 0.0436 in three files of a posterior
    rule's report, with no word on why; under the test there is one."""
    from designs.outputs.methods import _type_i_elsewhere

    posterior = load_design().with_overrides({"decision.rule": "posterior"})
    alone = _type_i_elsewhere(posterior)
    assert "other simulated null trials" in alone and "prior_weight.md" not in alone
    assert _type_i_elsewhere(load_design()) == ""
    # prior_weight.md only where it holds this rule: a robust prior at a calibrated weight
    calibrated = _calibrated()
    robust = posterior.with_overrides({"decision.prior": "robust", "decision.prior_weight": 0.5})
    assert "prior_weight.md's" in _type_i_elsewhere(robust, calibrated)
    other = robust.with_overrides({"decision.prior_weight": 0.3})
    assert "prior_weight.md" not in _type_i_elsewhere(other, calibrated)
    assert "prior_weight.md" not in _type_i_elsewhere(posterior, calibrated)  # vague prior


def test_the_borrowing_caveat_cites_what_prior_weight_md_rests_on():
    """A protocol writer's review: prior_weight.md cites Kopp-Schneider et al. 2020, the
    methods text pointed to that file and cited it nowhere."""
    from designs.outputs.methods_references import references_text
    from designs.outputs.prior_notes import borrowing_caveat

    robust = load_design().with_overrides(
        {"decision.rule": "posterior", "decision.prior": "robust", "decision.prior_weight": 0.5}
    )
    assert "(Kopp-Schneider et al. 2020)." in borrowing_caveat(robust)
    refs = "\n".join(references_text("lmm_slope", True, prior_worth=True))
    assert "Kopp-Schneider A, Calderazzo S, Wiesenfarth M (2020)" in refs
    assert "Kopp-Schneider" not in "\n".join(references_text("lmm_slope", True))
