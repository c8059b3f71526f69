"""Layout of the flat arrays the simulation kernels take and return.

``params`` (float64[N_PARAMS]) holds one population and dropout model, slot by slot
(``P_*``); ``counts`` (float64[trial, N_COUNTS]) the dropouts, deaths, completers and
candidates screened per arm (``C_*``); a patient's exit status is one of ``COMPLETED``,
``DROPPED_OUT``, ``DIED``. The analysis slots (``A_*``) come from the registry
(:mod:`designs.analyses.registry`), whose ``N_ANALYSES`` sizes the result array.
"""

from designs.analyses.registry import N_ANALYSES, REGISTRY

__all__ = ["N_ANALYSES"]

# Slots of the flat parameter vector ``params`` (float64).
P_BASELINE_MEAN = 0  # points
P_BASELINE_SD = 1  # points
P_SLOPE_MEAN = 2  # points/month (placebo arm)
P_SLOPE_SD = 3  # points/month, SD of true slopes
P_CORR = 4  # baseline-slope correlation
P_RESIDUAL_SD = 5  # points
P_EFFECT_SD = 6  # points/month, between-patient SD of the benefit
P_INTEGER = 7  # 1.0 = round and clip to 0-48
P_DEATH_HAZARD = 8  # deaths per patient-month (constant), before the informative scaling
P_DROPOUT_INFORMATIVE = 9  # log-hazard per point/month of decline faster than slope_mean
P_DROPOUT_SCALE = 10  # calibration factor of the dropout hazard (1 when MCAR)
P_DEATH_INFORMATIVE = 11  # the same for death
P_DEATH_SCALE = 12
P_DFS_LOG_MEAN = 13  # mean of log delta-FS (delta-FS in points/month)
P_DFS_LOG_SD = 14  # SD of log delta-FS
P_DFS_CORR = 15  # correlation of log delta-FS with the rate of decline -s
P_DFS_MIN = 16  # admitted delta-FS range, points/month
P_DFS_MAX = 17
P_SCREEN_DFS = 18  # 1.0 = draw delta-FS and screen on it
P_LEAD_DECLINE_MIN = 19  # admitted points lost during the lead-in
P_LEAD_DECLINE_MAX = 20
P_SCREEN_LEAD = 21  # 1.0 = screen on lead-in decline
P_MAX_SCREEN = 22  # candidates screened per arm at most, per patient randomised
P_CORR_COMPLEMENT = 23  # sqrt(1 - baseline_slope_corr^2), hoisted out of the patient loop
P_CURVED = 24  # 1.0 when the mean trajectory has a nonlinear part (curve not all zero)
P_EFFECT_COURSE = 25  # 1.0 when the effect has a time course (delay, ramp or waning)
N_PARAMS = 26

# Analyses by kernel index, from the registry (compile-time constants of the kernels).
A_LMM_SLOPE = REGISTRY["lmm_slope"].kernel_index
A_OLS_SLOPE_TTEST = REGISTRY["ols_slope_ttest"].kernel_index
A_ANCOVA_CHANGE = REGISTRY["ancova_change"].kernel_index
A_JOINT_RANK = REGISTRY["joint_rank"].kernel_index
A_SLOPE_CHANGE_LEAD_IN = REGISTRY["slope_change_lead_in"].kernel_index
A_LMM_SLOPE_KR = REGISTRY["lmm_slope_kr"].kernel_index

# Exit status of a patient.
COMPLETED = 0
DROPPED_OUT = 1
DIED = 2

# Per-trial counts written beside the analysis results, shape (trial, N_COUNTS).
C_DROPOUT_PLACEBO = 0
C_DROPOUT_ACTIVE = 1
C_DEATH_PLACEBO = 2
C_DEATH_ACTIVE = 3
C_COMPLETERS_PLACEBO = 4
C_COMPLETERS_ACTIVE = 5
C_SCREENED_PLACEBO = 6  # candidates screened (= randomised when nobody is screened out)
C_SCREENED_ACTIVE = 7
N_COUNTS = 8

SCORE_FLOOR = 0.0  # ALSFRS-R total, points
SCORE_CEILING = 48.0
