"""Pure statistics for Samverkan: evaluation tests, rates, time profiles,
concentration, offence categories, small-count suppression and hot spots.

This package never imports Django. It takes plain Python/numpy data and
returns plain data (frozen dataclasses, numbers, numpy arrays), so it can be
tested and reused on its own.
"""

from .evaluation import (
    RateRatioResult,
    WddHarmResult,
    WddResult,
    WdqResult,
    poisson_e_test,
    poisson_z,
    rate_ratio,
    wdd,
    wdd_harm,
    wdq,
)

__all__ = [
    "RateRatioResult",
    "WddHarmResult",
    "WddResult",
    "WdqResult",
    "poisson_e_test",
    "poisson_z",
    "rate_ratio",
    "wdd",
    "wdd_harm",
    "wdq",
]
