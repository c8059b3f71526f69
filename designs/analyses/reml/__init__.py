"""REML fit of the linear mixed model of slopes on grouped sufficient statistics (Numba).

The model, for patient ``i`` of a two-arm trial at visit month ``t_ij``:

.. math::

    y_{ij} = b_0 + b_1 t_{ij} + b_2 a_i + b_3 a_i t_{ij} + u_{0i} + u_{1i} t_{ij} + e_{ij},
    \\quad (u_{0i}, u_{1i}) \\sim N(0, D),\\ e_{ij} \\sim N(0, \\sigma^2),

with ``a_i`` = 1 for active, 0 for placebo, ``D`` unstructured 2x2 and REML estimation. The
estimand is ``b3``, the difference in mean slope (active minus placebo, ALSFRS-R points/month).

Computation
-----------
Patients of one arm with the same visit months share ``Z_g = [1, t]`` and hence
``V_g = sigma^2 H_g`` with ``H_g = I + Z_g Psi Z_g'`` and ``Psi = D / sigma^2 = L L'``
(``L`` lower triangular, the three free parameters ``theta = (l11, l21, l22)``). With
``S = Z'Z`` (per patient), ``N = I + S Psi`` (2x2):

* ``log|H_g| = log|N|`` (Sylvester), valid for singular ``Psi`` too;
* ``Z'H^-1 Z = N^-1 S = W_g`` (symmetric) and ``Z'H^-1 y = N^-1 Z'y``;
* ``y'H^-1 y = y'y - tr(Psi N^-1 (Z'y)(Z'y)')``.

Since ``X_i = [Z_i, a_i Z_i]``, the fixed effects decouple by arm: the per-arm coefficient
vectors are ``W_arm^-1 c_arm`` with ``W_arm = sum_g n_g W_g`` and ``c_arm = sum_g N_g^-1 sum Z'y``;
``log|X'H^-1 X| = log|W_0| + log|W_1|``. ``sigma^2`` profiles out as ``Q / (N_obs - 4)``
(``Q`` the generalised residual sum of squares), leaving a criterion in ``theta`` that costs
O(groups) per evaluation. The gradient is analytic (``dW = -W dPsi W``, envelope theorem for
``Q``) and so is the Hessian (:mod:`designs.analyses.reml.hessian`: one pass over the groups
gives both). ``N`` depends on ``Z'Z`` and ``theta`` only, so the two arms' groups with the
same visits share it (computed once per visit pattern and evaluation); the criterion pass
keeps each group's ``N^-1``, ``W_g`` and ``N^-1 Z'y``, which the derivative pass at the same
``theta`` reads instead of recomputing. The optimiser is a damped Newton method with
backtracking in the
unbounded ``theta`` (the sign of each column of ``L``
is arbitrary, so the criterion is even in ``l22``: the boundary ``det D = 0`` is an ordinary
interior point of ``theta``-space, where Newton converges quadratically when the unconstrained
optimum lies beyond it). A Nelder-Mead search is the fallback, followed by Newton polishing.
Before optimising, the data are centred per arm by the arm's pooled OLS line (absorbed by the
fixed effects, so the fit is unchanged) to avoid cancellation in ``Q``.

Starting values are moment estimates from the per-patient OLS decomposition (within-patient
residual variance for ``sigma^2``; scatter of per-patient coefficients minus their average
sampling covariance for ``D``). For complete, balanced data with an interior optimum these
are exactly the REML estimates, so such fits converge in one Newton check. With several
visit patterns (attrition) the estimate of ``D`` is reweighted once, each pattern by the
precision of its patients' coefficients; Newton then needs about 3.5 iterations (the
quasi-Newton method used before, kept in :mod:`designs.analyses.reml.reference`, about 5
with a finite-difference Hessian, on the default design).

Reference distribution (Satterthwaite)
--------------------------------------
The Wald statistic ``b3 / SE`` is referred to a t distribution with Satterthwaite degrees of
freedom, as lmerTest does: ``df = 2 var(b3)^2 / (g' A g)``, ``g`` the gradient of
``var(b3) = sigma^2 (X'V^-1X)^-1[b3, b3]`` in the variance parameters
``phi = (sigma^2, l11, l21, l22)`` and ``A = 2 H^-1`` their asymptotic covariance, ``H`` the
Hessian of the REML deviance (-2 restricted log-likelihood) in ``phi`` (invariant to the
parameterisation at the optimum). A z test is liberal at small n (about 6.8% rejections at
nominal 5% with 15 patients per arm), t(2n - 2) gives about 5.7% and Satterthwaite about 5.6%
(lme4/lmerTest measurements); Satterthwaite also adapts when the slope variance is small and
within-patient information dominates, where 2n - 2 is too conservative.

On the boundary (``l22 = 0``, or the whole first column of ``L`` zero) the criterion is even in
that parameter, so its gradient and its cross-derivatives vanish there: the parameter is
dropped from the computation (what lmerTest effectively does). If the remaining Hessian is not
positive definite the df falls back to the between-patient df (patients with >= 2 distinct
visits minus 2) and ``DF_METHOD`` records it. The df is clipped to ``[1, N_obs - 4]``.
"""

from designs.analyses.reml.criterion import (
    D11,
    D12,
    D22,
    DF_FALLBACK,
    DF_METHOD,
    DF_SATTERTHWAITE,
    N_ITER,
    REML_CRITERION,
    SIGMA2,
)
from designs.analyses.reml.fit import group_statistics, lmm_slope_fit, lmm_slope_fit_arrays
from designs.analyses.results import DF, ESTIMATE, N_RESULT, SE, STATUS

__all__ = [
    "D11",
    "D12",
    "D22",
    "DF",
    "DF_FALLBACK",
    "DF_METHOD",
    "DF_SATTERTHWAITE",
    "ESTIMATE",
    "N_ITER",
    "N_RESULT",
    "REML_CRITERION",
    "SE",
    "SIGMA2",
    "STATUS",
    "group_statistics",
    "lmm_slope_fit",
    "lmm_slope_fit_arrays",
]
