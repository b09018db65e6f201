"""Pure statistics for Samverkan: evaluation tests, rates, time profiles,
concentration, offence categories, small-count suppression and hot spots.

This package never imports Django. It takes plain Python/numpy data and
returns plain data (frozen dataclasses, numbers, numpy arrays), so it can be
tested and reused on its own.
"""

from typing import Any

# The evaluation tests are re-exported here, but loaded on first use: importing any module of
# the package (``analysis.suppression``, which every audience check uses) runs this file, and
# loading ``evaluation`` with it would bring NumPy into every process at start-up.
_EVALUATION = {
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
}


def __getattr__(name: str) -> Any:
    if name in _EVALUATION:
        from . import evaluation

        return getattr(evaluation, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_EVALUATION)
