# References for tests/planning/test_interim_look_rpact.py: `simulate.py analyze --look` at
# the information a trial observed, against rpact's getAnalysisResults.
#
# Run by hand (CI needs no R): Rscript tests/data/rpact_interim_look.R
# Computed with rpact 3.3.4 (Debian r-cran-rpact 3.3.4-1), R 4.2.2, on 2026-12-05.
#
# Each case is a trial analysed at looks with observed information N (a one-sample mean with
# standard deviation 1, so information = n = 1 / SE^2) and overall statistic z (a z statistic
# under the normal approximation, a t statistic on n - 1 df otherwise). The alpha each look
# spends is the planned design's at min(N / Imax, 1), all that is left at a final look (the
# convention of designs/sequential/at_information.py); the design analysed is then a
# user-spending design ("asUser") with the observed information rates, so that its critical
# values are the boundaries at the observed information.
suppressMessages(library(rpact))
f8 <- function(x) paste(sprintf("%.8f", x), collapse = ", ")

case <- function(label, type, N, z, Imax, kMax, sided = 1, gammaA = NA, normal = TRUE,
                 upper = TRUE) {
  k <- length(N)
  final <- k == kMax || N[k] >= Imax
  alpha <- 0.025 * sided
  fractions <- pmin(N / Imax, 1)
  if (final) {
    kPlan <- k
    fractions[k] <- 1
  } else {
    kPlan <- kMax
    fractions <- c(fractions, seq(fractions[k], 1, length.out = kMax - k + 1)[-1])
  }
  args <- list(kMax = kPlan, alpha = alpha, sided = sided, typeOfDesign = type,
               informationRates = fractions)
  if (!is.na(gammaA)) args$gammaA <- gammaA
  spent <- do.call(getDesignGroupSequential, args)$alphaSpent
  if (final) spent[k] <- alpha
  rates <- c(N, N[k] + seq_len(kPlan - k))
  design <- getDesignGroupSequential(kMax = kPlan, alpha = alpha, sided = sided,
                                     typeOfDesign = "asUser", informationRates = rates / rates[kPlan],
                                     userAlphaSpending = spent)
  data <- getDataset(overallN = N, overallMeans = z / sqrt(N), overallStDevs = rep(1, k))
  res <- suppressWarnings(getAnalysisResults(design, data, normalApproximation = normal,
                                             thetaH0 = 0, directionUpper = upper))
  stop <- res$finalStage
  cat("\n#", label, "\n")
  cat("critical values:", f8(design$criticalValues[1:k]), "\n")
  cat("alpha spent:", f8(spent[1:k]), "\n")
  cat("test actions:", res$testActions[1:k], "\n")
  cat("RCI lower:", f8(res$repeatedConfidenceIntervalLowerBounds[1:k]), "\n")
  if (!is.na(stop) && stop == k) {
    cat("final p-value:", f8(res$finalPValues[stop]), "\n")
    cat("median unbiased estimate:", f8(res$medianUnbiasedEstimates[stop]), "\n")
  }
}

case("obf, 3 looks, final, rejects", "asOF", c(80, 170, 240), c(1.2, 2.0, 2.3), 250, 3)
case("obf, 3 looks, final, no rejection", "asOF", c(80, 170, 240), c(1.2, 2.0, 1.5), 250, 3)
case("obf, stops at look 2 of 3", "asOF", c(80, 170), c(1.2, 2.7), 250, 3)
case("obf, look 2 of 3 reaches Imax", "asOF", c(80, 260), c(1.2, 2.1), 250, 3)
case("pocock, 2 looks, final above Imax", "asP", c(130, 260), c(1.1, 2.4), 250, 2)
case("power 2, stops at look 3 of 4", "asKD", c(60, 110, 190), c(0.9, 1.8, 2.6), 240, 4,
     gammaA = 2)
case("hsd -4, 3 looks, final", "asHSD", c(90, 150, 230), c(1.5, 1.9, 2.1), 220, 3, gammaA = -4)
case("two-sided obf, 3 looks, final", "asOF", c(80, 170, 240), c(1.2, 2.0, 2.3), 250, 3,
     sided = 2)
case("two-sided obf, stops at look 2 of 3", "asOF", c(80, 170), c(1.2, 2.9), 250, 3, sided = 2)
# directionUpper = FALSE: a stop favouring control. With the default (TRUE) rpact gives -0.22241999,
# not the mirror image of the case above (0.22225991), though the boundaries are symmetric.
case("two-sided obf, harm at look 2 of 3", "asOF", c(80, 170), c(-1.2, -2.9), 250, 3, sided = 2,
     upper = FALSE)
case("obf, 3 looks, final, t statistics", "asOF", c(80, 170, 240), c(1.2, 2.0, 2.3), 250, 3,
     normal = FALSE)
# Added 2026-12-06 (same rpact and R). With t statistics the test takes every figure from the
# normal = FALSE call but the median-unbiased estimate, which analyze --look reads from the
# Wald statistic as normal: the normal = TRUE call's (the case above: 0.14525047, the first
# case's).
case("obf, stops at look 1 of 3, t statistic", "asOF", c(85), c(5.207), 250, 3, normal = FALSE)
case("obf, stops at look 2 of 3, t statistics", "asOF", c(80, 170), c(1.2, 4.0), 250, 3,
     normal = FALSE)
case("obf, stops at look 2 of 3, t statistics read as z", "asOF", c(80, 170), c(1.2, 4.0), 250,
     3)
