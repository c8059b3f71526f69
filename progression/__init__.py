"""The disease: ALSFRS-R data, natural-history priors, the PyMC progression model, posteriors."""
