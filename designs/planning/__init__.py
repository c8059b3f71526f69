"""Planning: power, sample size, assurance, sweeps, closed forms, operating characteristics."""
