"""Harm weights for the handbook's offence categories: a count that lets a few serious crimes
weigh more than many minor ones when problems are prioritised.

Method: a crime-harm index weights each offence by the seriousness the law gives it (Sherman,
Neyroud & Neyroud 2016, "The Cambridge Crime Harm Index", Policing 10(3), uses the starting
point of the sentence in days). Swedish penalty scales (brottsbalken) are wide and
overlap, so the weights here are a coarse, ordinal judgement per category of the handbook's
table (Brå m.fl. 2010, s. 48–49) in the same spirit: crimes against the person (violence,
sexual crimes) weigh 10; threats and harassment, theft and robbery 3; damage, fraud, alcohol
and drug crimes 2; traffic and other crimes 1. They order problems; they do not measure
suffering, and a partnership with better local weights should use its own judgement: the
functions take the weights to use (a partnership's own, stored by ``problems``), falling back to
these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from samverkan.analysis.categories import (
    ALKOHOL_NARKOTIKA,
    BEDRAGERI,
    FRIHET_FRID,
    LIV_HALSA,
    OVRIGT,
    SEXUALBROTT,
    SKADEGORELSE,
    TILLGREPP,
    TRAFIK,
)

__all__ = [
    "HARM_WEIGHTS",
    "DEFAULT_HARM_WEIGHT",
    "HarmWeights",
    "harm_weight",
    "harm_weighted_count",
]

HARM_WEIGHTS: dict[str, int] = {
    LIV_HALSA: 10,
    SEXUALBROTT: 10,
    FRIHET_FRID: 3,
    TILLGREPP: 3,
    BEDRAGERI: 2,
    SKADEGORELSE: 2,
    ALKOHOL_NARKOTIKA: 2,
    TRAFIK: 1,
    OVRIGT: 1,
}
DEFAULT_HARM_WEIGHT = 1  # an offence the category table does not know

HarmWeights = Mapping[str, int]


def harm_weight(category: str, weights: HarmWeights | None = None) -> int:
    """The weight of one offence in ``category`` under ``weights`` (the defaults above when
    None); a category the weights do not name weighs ``DEFAULT_HARM_WEIGHT``."""
    table = HARM_WEIGHTS if weights is None else weights
    return table.get(category, DEFAULT_HARM_WEIGHT)


def harm_weighted_count(
    counts: Iterable[tuple[str, int]], weights: HarmWeights | None = None
) -> int:
    """Sum of counts times their category's weight, from ``(category, count)`` pairs, under
    ``weights`` (the defaults when None).

    >>> harm_weighted_count([("Brott mot liv och hälsa", 3), ("Skadegörelse", 10)])
    50
    >>> harm_weighted_count([("Skadegörelse", 10)], {"Skadegörelse": 5})
    50
    """
    total = 0
    for category, count in counts:
        if count < 0:
            raise ValueError("a count cannot be negative")
        total += harm_weight(category, weights) * count
    return total
