"""The one exception for bad input and its near-miss suggestion (defined in
:mod:`progression.errors`, re-exported here)."""

from progression.errors import NEAR_MISS_CUTOFF, InputError, first_line, near_miss

__all__ = ["NEAR_MISS_CUTOFF", "InputError", "first_line", "near_miss"]
