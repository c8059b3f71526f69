"""One arm's data at the looks: which look sees it whole, the visits available at the
others, each patient's sums over them, and their groups.

At the look at calendar month ``tau`` a patient who entered at ``e`` has the visits ``j <
m`` (before its exit) with ``e + t_j <= tau``: the visits increase from month 0, so these
are its first ``a`` visits, and its sums over them (sum y, sum t y, sum y^2) are its running
sums over its visits in time order, kept while the visit is available
(:func:`available_sums`): the same additions in the same order as
:func:`designs.simulation.patients.scheduled_sums` on the available visits, so the same
numbers; two looks a pass. Each look then adds its patients into the groups (arm, visits
available) in patient order (:func:`add_looks_groups`, two looks a pass). A look that sees
every visit of the arm (:func:`sees_whole_arm`, the final one) needs none of this: its
groups get the fixed design's additions in its order (:func:`add_whole_arm`).

Measured (2026-12-02, one thread, default design, 3 looks, on 2 x 100 patients): the
variants kept out were slower. Running sums of every visit stored once for all looks and
read back per look (a three-dimensional array, or rows copied from running sums): 0.9-1.9 us
per arm against 0.4 us for one look's sums, as the compiler's overlap checks keep the loop
out of SIMD lanes or the stores cost more than the additions saved; one pass over the visits
for all looks on a three-dimensional ``sums``: slower than a look at a time; the earlier
look's sums as a snapshot of the later look's running sums: 3 times slower. Adding the
patients not yet randomised to four spare rows, skipping them by a branch, or listing the
randomised ones first: no faster on new trials' data (the branch only looks faster on the
same few trials repeated, whose pattern the predictor learns).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from designs.simulation.visit_groups import add_visit_groups


@njit(cache=True)
def sees_whole_arm(entry, m_arm, n_arm, visits, tau):
    """True when the look at month ``tau`` sees every visit of every patient of the arm.

    The last observed visit (``t[m - 1]``) of every patient is held by then: ``e + t_j`` does
    not decrease in ``j`` (increasing visits, rounding is monotone), so all earlier visits are
    too, and the first (month 0) is ``e <= tau``. Stops at the first patient without it: an
    interim look stops within a few patients, the final look (every patient passes: the
    branch is predicted) reads each patient once.
    """
    for p in range(n_arm):
        if not entry[p] + visits[m_arm[p] - 1] <= tau:
            return False
    return True


@njit(cache=True)
def available_sums(y, visits, m_arm, entry, n_arm, look_months, partial, n_partial, avail, sums):
    """Visits available at the looks ``partial[:n_partial]`` and each patient's sums over them.

    ``avail[i, p]``: the visits of patient ``p`` at look ``partial[i]`` (indices into
    ``look_months``, calendar months): visit ``j`` counts when ``j < m`` and ``e + t_j <=
    tau``. ``sums[i, 0..2, p]``: its sum y, sum t y and sum y^2 over them (points,
    point-months, points^2): the running sums over its visits in time order, kept while the
    visit is available, so the additions of :func:`scheduled_sums` on the available visits
    and the same numbers. One pass over the visits for all looks, across patients (SIMD
    lanes on visit-major ``y``), without branches, two looks a pass.
    """
    for i in range(0, n_partial - 1, 2):  # two looks a pass: the scores read once
        _available_sums_two(
            y, visits, m_arm, entry, n_arm, look_months[partial[i]], look_months[partial[i + 1]],
            avail[i], avail[i + 1], sums[i], sums[i + 1],
        )  # fmt: skip
    if n_partial % 2 == 1:
        i = n_partial - 1
        _available_sums(y, visits, m_arm, entry, n_arm, look_months[partial[i]], avail[i], sums[i])


@njit(cache=True)
def _available_sums(y, visits, m_arm, entry, n_arm, tau, avail, sums):
    """:func:`available_sums` at one look (month ``tau``), on its rows ``avail`` and ``sums``
    (one- and two-dimensional: the loops over the three-dimensional ``sums`` of all looks
    run without SIMD lanes)."""
    for p in range(n_arm):
        avail[p] = 0
        sums[0, p] = 0.0
        sums[1, p] = 0.0
        sums[2, p] = 0.0
    for j in range(visits.shape[0]):
        t = visits[j]
        for p in range(n_arm):
            yj = y[p, j]
            keep = (j < m_arm[p]) & (entry[p] + t <= tau)
            avail[p] += np.int64(keep)
            sy = sums[0, p] + yj
            sty = sums[1, p] + t * yj
            yy = sums[2, p] + yj * yj
            sums[0, p] = sy if keep else sums[0, p]
            sums[1, p] = sty if keep else sums[1, p]
            sums[2, p] = yy if keep else sums[2, p]


@njit(cache=True)
def _available_sums_two(
    y, visits, m_arm, entry, n_arm, tau_a, tau_b, avail_a, avail_b, sums_a, sums_b
):
    """:func:`_available_sums` at two looks in one pass over the visits (each patient's score,
    exit and entry read once for both: 0.7-1.0 us per arm of the default design against
    1.0-1.05 for two passes); each look keeps its own running sums, so its numbers are
    those of :func:`_available_sums`."""
    for p in range(n_arm):
        avail_a[p] = 0
        avail_b[p] = 0
        sums_a[0, p] = 0.0
        sums_a[1, p] = 0.0
        sums_a[2, p] = 0.0
        sums_b[0, p] = 0.0
        sums_b[1, p] = 0.0
        sums_b[2, p] = 0.0
    for j in range(visits.shape[0]):
        t = visits[j]
        for p in range(n_arm):
            yj = y[p, j]
            seen = j < m_arm[p]
            month = entry[p] + t
            keep_a = seen & (month <= tau_a)
            keep_b = seen & (month <= tau_b)
            avail_a[p] += np.int64(keep_a)
            avail_b[p] += np.int64(keep_b)
            ty = t * yj
            yy = yj * yj
            sy = sums_a[0, p] + yj
            sty = sums_a[1, p] + ty
            syy = sums_a[2, p] + yy
            sums_a[0, p] = sy if keep_a else sums_a[0, p]
            sums_a[1, p] = sty if keep_a else sums_a[1, p]
            sums_a[2, p] = syy if keep_a else sums_a[2, p]
            sy = sums_b[0, p] + yj
            sty = sums_b[1, p] + ty
            syy = sums_b[2, p] + yy
            sums_b[0, p] = sy if keep_b else sums_b[0, p]
            sums_b[1, p] = sty if keep_b else sums_b[1, p]
            sums_b[2, p] = syy if keep_b else sums_b[2, p]


@njit(cache=True)
def add_look_groups(gstat, base, spare, avail, sums, n_arm):
    """Add one arm's patients, at one look, to their groups' statistics, in patient order.

    Parameters
    ----------
    gstat : float64[> spare, 7]
        Per group (row ``base + a - 1`` for the patients with ``a`` visits available): as
        :func:`designs.simulation.visit_groups.add_visit_groups`.
    base : int
        First row of the arm (``arm * V``).
    spare : int
        A row no analysis reads: patients not yet randomised (``a = 0``) are added to it,
        without a branch.
    avail : int64[>= n_arm]
        Visits available of each patient (:func:`available_sums`).
    sums : float64[3, >= n_arm]
        Each patient's sum y, sum t y and sum y^2 over its available visits.
    n_arm : int
        Patients of the arm.
    """
    for p in range(n_arm):
        a = avail[p]
        inside = a > 0
        g = base + (a - 1) if inside else spare
        sy = sums[0, p]
        sty = sums[1, p]
        yy = sums[2, p]
        gstat[g, 0] += 1.0
        gstat[g, 1] += yy
        gstat[g, 2] += sy
        gstat[g, 3] += sty
        gstat[g, 4] += sy * sy
        gstat[g, 5] += sy * sty
        gstat[g, 6] += sty * sty


@njit(cache=True)
def add_looks_groups(gstat, partial, n_partial, base, spare, avail, sums, n_arm):
    """:func:`add_look_groups` at the looks ``partial[:n_partial]`` (rows of ``gstat``,
    float64[K, > spare, 7]; ``avail[i]`` and ``sums[i]`` those of look ``partial[i]``), two
    looks a pass over the patients: their additions are independent, so the processor
    overlaps them (about 0.3 us per trial of the default design less than a look at a time).
    Each look's groups get the same additions in the same order as look by look."""
    for i in range(0, n_partial - 1, 2):
        _add_two_looks_groups(
            gstat[partial[i]], gstat[partial[i + 1]], base, spare, avail[i], avail[i + 1],
            sums[i], sums[i + 1], n_arm,
        )  # fmt: skip
    if n_partial % 2 == 1:
        i = n_partial - 1
        add_look_groups(gstat[partial[i]], base, spare, avail[i], sums[i], n_arm)


@njit(cache=True)
def _add_two_looks_groups(gstat_a, gstat_b, base, spare, avail_a, avail_b, sums_a, sums_b, n_arm):
    """:func:`add_look_groups` at two looks in one pass over the patients."""
    for p in range(n_arm):
        a = avail_a[p]
        g = base + (a - 1) if a > 0 else spare
        sy = sums_a[0, p]
        sty = sums_a[1, p]
        yy = sums_a[2, p]
        b = avail_b[p]
        h = base + (b - 1) if b > 0 else spare
        sy_b = sums_b[0, p]
        sty_b = sums_b[1, p]
        yy_b = sums_b[2, p]
        gstat_a[g, 0] += 1.0
        gstat_b[h, 0] += 1.0
        gstat_a[g, 1] += yy
        gstat_b[h, 1] += yy_b
        gstat_a[g, 2] += sy
        gstat_b[h, 2] += sy_b
        gstat_a[g, 3] += sty
        gstat_b[h, 3] += sty_b
        gstat_a[g, 4] += sy * sy
        gstat_b[h, 4] += sy_b * sy_b
        gstat_a[g, 5] += sy * sty
        gstat_b[h, 5] += sy_b * sty_b
        gstat_a[g, 6] += sty * sty
        gstat_b[h, 6] += sty_b * sty_b


@njit(cache=True)
def add_whole_arm(gstat, base, v, m_arm, sums_arm, n_arm, n_left):
    """Add one arm's patients with all their visits (a look that sees the whole arm) to
    their groups (row ``base + m - 1``; ``v`` scheduled visits), in patient order, as the
    fixed design does.

    With few leavers (``n_left``: patients who did not complete, at most 1 in 8)
    :func:`designs.simulation.visit_groups.add_visit_groups` (the groups' sums kept in
    registers through each run of patients in the same group; one mispredicted branch or so
    at each change of group); with more, :func:`add_look_groups` (no branch, every addition
    through memory). The same additions in the same order either way. Measured on new
    trials (2026-12-02, one thread, 2 x 100 patients): the register runs cost 0.16 against
    0.39 us per arm without leavers, 0.68 against 0.31 with the default design's attrition.
    """
    if 8 * n_left <= n_arm:
        add_visit_groups(gstat, base, v, m_arm, sums_arm, n_arm)
    else:  # every patient has m >= 1 visits: the spare row (2 v) is not used
        add_look_groups(gstat, base, 2 * v, m_arm, sums_arm, n_arm)
