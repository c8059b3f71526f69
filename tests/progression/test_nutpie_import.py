"""nutpie imported without all of ArviZ (progression.nutpie_compile.import_nutpie): the fit
needs only arviz_base's two converters from it, while ArviZ's plots and matplotlib cost
about half a second of every fit's start."""

from __future__ import annotations

import subprocess
import sys
import textwrap

#: Run in a fresh interpreter: nothing of ArviZ may be imported before.
_CHECK = textwrap.dedent(
    """
    import sys
    from progression.nutpie_compile import import_nutpie

    nutpie = import_nutpie()
    stand_in = sys.modules["nutpie.sample"].arviz
    print("after_nutpie", "arviz" in sys.modules, "arviz_plots" in sys.modules,
          "matplotlib" in sys.modules)
    import arviz_base
    print("converters", stand_in.from_dict is arviz_base.from_dict,
          stand_in.dict_to_dataset is arviz_base.dict_to_dataset)
    import arviz
    print("real_arviz", arviz is not stand_in, hasattr(arviz, "plot_dist"),
          stand_in.ess is arviz.ess)
    print("again", import_nutpie() is nutpie)
    """
)


def test_nutpie_is_imported_without_arviz_plots_and_arviz_stays_importable(repo_root):
    out = subprocess.run(
        [sys.executable, "-c", _CHECK],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout.split("\n")
    lines = {line.split()[0]: line.split()[1:] for line in out if line.strip()}
    assert lines["after_nutpie"] == ["False", "False", "False"]
    assert lines["converters"] == ["True", "True"]
    assert lines["real_arviz"] == ["True", "True", "True"]
    assert lines["again"] == ["True"]
