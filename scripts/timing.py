"""Percentiles for the benchmarks, one definition shared by all of them."""

from __future__ import annotations


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0–100) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
