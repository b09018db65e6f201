"""Short plain-Swedish readings of evaluation results, with caveats.

The sentences are deliberately cautious: a before/after comparison of
reported crime in one place can rarely prove that a measure worked. Each
function returns a list of sentences; the first states the result, the rest
are caveats that apply to the numbers given.
"""

from __future__ import annotations

from samverkan.lib import numbers

from .categories import POLICE_INITIATED
from .evaluation import RateRatioResult, WddResult

__all__ = [
    "swedish_number",
    "SMALL_NUMBER_THRESHOLD",
    "read_wdd",
    "read_rate_ratio",
    "read_e_test",
    "caveats",
]

SMALL_NUMBER_THRESHOLD = 20


def swedish_number(value: float, decimals: int = 1) -> str:
    """Swedish number format (``lib.numbers``): decimal comma, a no-break space between
    thousands, true minus."""
    return numbers.number(value, decimals)


_num = swedish_number


def _p_text(p_value: float) -> str:
    if p_value < 0.001:
        return "p < 0,001"
    return f"p = {_num(p_value, 3)}"


def caveats(
    counts: list[float],
    *,
    small_threshold: int = SMALL_NUMBER_THRESHOLD,
    interpretation: str | None = None,
    selected_for_high_level: bool = False,
    displacement_checked: bool = True,
) -> list[str]:
    """Caveat sentences that apply to a before/after comparison.

    * small numbers: any count at or below ``small_threshold``;
    * regression to the mean: the place was picked because its numbers were
      unusually high, a classic threat to before/after designs;
    * police-initiated offences (handbook interpretation category 3): counts
      follow police activity;
    * displacement not examined.
    """
    notes: list[str] = []
    if any(c <= small_threshold for c in counts):
        notes.append(
            f"Några av talen är små (högst {small_threshold}). Små tal svänger mycket av "
            "slumpen, så förändringen kan vara tillfällig."
        )
    if selected_for_high_level:
        notes.append(
            "Platsen valdes ut för att brotten var ovanligt många. Sådana toppar går ofta "
            "ner av sig själva (regression mot medelvärdet), även utan åtgärd."
        )
    if interpretation == POLICE_INITIATED:
        notes.append(
            "Brottstypen upptäcks främst genom polisens egna insatser. Fler anmälningar "
            "kan betyda mer polisarbete, inte mer brottslighet – och tvärtom."
        )
    if not displacement_checked:
        notes.append(
            "Vi har inte undersökt om brotten flyttat till närliggande områden "
            "(förflyttning), eller om även grannområdena fått det bättre."
        )
    return notes


def read_wdd(
    result: WddResult,
    counts: list[float],
    *,
    small_threshold: int = SMALL_NUMBER_THRESHOLD,
    interpretation: str | None = None,
    selected_for_high_level: bool = False,
) -> list[str]:
    """Plain-Swedish reading of a WDD result (Wheeler & Ratcliffe 2018)."""
    level = round(100 * (1 - result.alpha))
    change = "färre" if result.estimate < 0 else "fler"
    first = (
        f"Jämfört med kontrollområdet blev det {_num(abs(result.estimate))} {change} brott "
        f"än väntat ({level}\u00a0% konfidensintervall {_num(result.ci_low)} till "
        f"{_num(result.ci_high)}; {_p_text(result.p_value)})."
    )
    if result.ci_low <= 0 <= result.ci_high:
        second = "Skillnaden är så liten att den kan bero på slumpen."
    else:
        second = "Skillnaden är större än vad slumpen brukar ge."
    sentences = [first, second]
    if result.has_displacement_areas:
        sentences.append(
            "Beräkningen räknar in förändringen i det omgivande området, så brott som "
            "flyttat dit drar ner effekten."
        )
    sentences += caveats(
        counts,
        small_threshold=small_threshold,
        interpretation=interpretation,
        selected_for_high_level=selected_for_high_level,
        displacement_checked=result.has_displacement_areas,
    )
    return sentences


def read_rate_ratio(
    result: RateRatioResult,
    counts: list[float],
    *,
    small_threshold: int = SMALL_NUMBER_THRESHOLD,
    interpretation: str | None = None,
    selected_for_high_level: bool = False,
    displacement_checked: bool = False,
) -> list[str]:
    """Plain-Swedish reading of an incidence rate ratio.

    ``displacement_checked`` says whether the same evaluation looks at a surrounding area (so
    the reading does not claim that displacement went unexamined when it was examined).
    """
    level = round(100 * (1 - result.alpha))
    percent = (result.ratio - 1) * 100
    direction = "lägre" if percent < 0 else "högre"
    first = (
        f"Brottsutvecklingen i insatsområdet var {_num(abs(percent), 0)}\u00a0% {direction} än i "
        f"kontrollområdet (kvot {_num(result.ratio, 2)}, {level}\u00a0% konfidensintervall "
        f"{_num(result.ci_low, 2)}–{_num(result.ci_high, 2)})."
        if percent != 0
        else "Brotten förändrades lika mycket i insatsområdet som i kontrollområdet."
    )
    if result.ci_low <= 1 <= result.ci_high:
        second = "Intervallet omfattar 1, så skillnaden kan bero på slumpen."
    else:
        second = "Intervallet omfattar inte 1, så skillnaden är troligen inte bara slump."
    return [first, second] + caveats(
        counts,
        small_threshold=small_threshold,
        interpretation=interpretation,
        selected_for_high_level=selected_for_high_level,
        displacement_checked=displacement_checked,
    )


def read_e_test(
    p_value: float,
    current: float,
    previous: float,
    *,
    alpha: float = 0.05,
    small_threshold: int = SMALL_NUMBER_THRESHOLD,
    interpretation: str | None = None,
) -> list[str]:
    """Plain-Swedish reading of a Poisson E-test (Krishnamoorthy & Thomson 2004)."""
    diff = current - previous
    if diff == 0:
        first = f"Antalet brott är oförändrat ({_num(current, 0)})."
    else:
        word = "ökat" if diff > 0 else "minskat"
        first = (
            f"Antalet brott har {word} från {_num(previous, 0)} till {_num(current, 0)} "
            f"({_p_text(p_value)})."
        )
    if p_value < alpha:
        second = "En så stor förändring är ovanlig om bara slumpen spelar in."
    else:
        second = "Förändringen ligger inom vad slumpen kan ge."
    return [first, second] + caveats(
        [current, previous], small_threshold=small_threshold, interpretation=interpretation
    )
