"""JSON that every parser reads: numpy numbers as Python numbers, NaN and infinities (undefined
numbers, such as the bias of an estimand without a true value) as null."""

from __future__ import annotations

import json
import math


def json_ready(obj):
    """``obj`` with numpy scalars as Python numbers and non-finite floats as None."""
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_ready(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return json_ready(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def json_text(obj) -> str:
    """``obj`` as indented, strictly valid JSON (``allow_nan=False`` after :func:`json_ready`)."""
    return json.dumps(json_ready(obj), indent=2, allow_nan=False)
