"""The one exception for bad input and its near-miss suggestion (defined in
:mod:`progression.errors`, re-exported here)."""

from progression.errors import InputError, near_miss

__all__ = ["InputError", "near_miss"]
