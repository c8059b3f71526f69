"""The one exception for bad input (defined in :mod:`progression.errors`, re-exported here)."""

from progression.errors import InputError

__all__ = ["InputError"]
