"""Step 2's figures, one module per subject, computed once per page or document.

The subjects are the kinds of material a party maps:

* ``crime``: reported offences (Brå's statistics, else the party's incidents) per handbook
  category and year, the year-on-year change, the interpretation categories;
* ``rates``: offences per 100 000 inhabitants, and the comparison with the municipalities
  the party chose;
* ``incidents``: the party's own incidents: how many, the busiest places, weekday × hour,
  the peak times, hot spots, and counts at named places for a follow-up;
* ``surveys``: safety-survey answers over the years;
* ``costs``: what the crimes cost the parties;
* ``field_reports``: the partnership's field reports, as the follow-up counts them.

Figures that depend only on imported data are stored when an import changes it
(``mapping.figures``) and read from there. Every page or document that shows figures reads
them inside ``one_build()``: there each figure of a party (and its period, or other
arguments) is computed or read once, however many sections ask for it. ``of(party)`` is
the one entry point pages and documents use: an object with each subject's figures.

Outside ``one_build()`` the functions compute afresh on every call, as before.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

if TYPE_CHECKING:
    from samverkan.partnerships.models import Party

P = ParamSpec("P")
T = TypeVar("T")

# How each memoised figure's key is made from its arguments (see per_party).
_KEY_OF: dict[Callable[..., Any], Callable[..., tuple]] = {}

# The memo of one page's or one document's figures: (figure, party id, arguments) → value.
_MEMO: contextvars.ContextVar[dict[tuple, Any] | None] = contextvars.ContextVar(
    "subject_figures", default=None
)


@contextlib.contextmanager
def one_build() -> Iterator[None]:
    """One page's or document's reading of the figures: each is computed once inside.

    Nested builds share the outer memo (a document built inside a page's request)."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def memo() -> dict[tuple, Any] | None:
    """The current build's memo (None outside ``one_build``)."""
    return _MEMO.get()


def per_party(fn: Callable[P, T]) -> Callable[P, T]:
    """Memoise a party's figure within ``one_build()``, keyed by the party and the other
    arguments (a period, a number of places, a cell size …)."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    signature = inspect.signature(fn)

    def memo_key(*args: Any, **kwargs: Any) -> tuple:
        # top_places(p), top_places(p, 10) and top_places(p, n=10) are the same figure.
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        party, *rest = bound.arguments.values()
        return (name, getattr(party, "pk", party), tuple(rest))

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        found = _MEMO.get()
        if found is None:
            return fn(*args, **kwargs)
        key = memo_key(*args, **kwargs)
        if key not in found:
            found[key] = fn(*args, **kwargs)
        return found[key]

    _KEY_OF[wrapper] = memo_key
    return wrapper


def remember(figure: Callable[..., T], value: T, *args: Any, **kwargs: Any) -> None:
    """Inside a build: ``figure(*args, **kwargs)`` is ``value`` (read with other figures in
    one query, e.g. every party's costs at once). Outside one, nothing is kept."""
    found = _MEMO.get()
    if found is not None:
        found[_KEY_OF[figure](*args, **kwargs)] = value


class PartyFigures:
    """A party's figures by subject: ``of(party).crime.trend``, ``….incidents.places(10)``.

    Each attribute is read through the subject's memoised function, so within one build a
    figure is computed once whichever page section or document part asks first."""

    def __init__(self, party: Party) -> None:
        from samverkan.mapping.subjects import costs, crime, incidents, rates, surveys

        self.party = party
        self.crime = _Bound(crime, party)
        self.rates = _Bound(rates, party)
        self.incidents = _Bound(incidents, party)
        self.surveys = _Bound(surveys, party)
        self.costs = _Bound(costs, party)


class _Bound:
    """A subject module's figures with the party filled in: ``bound.top_places(10)``."""

    def __init__(self, module: Any, party: Party) -> None:
        self._module, self._party = module, party

    def __getattr__(self, name: str) -> Any:
        fn = getattr(self._module, name)
        if not callable(fn):
            return fn
        return functools.partial(fn, self._party)


def of(party: Party) -> PartyFigures:
    """The party's figures, by subject (see ``PartyFigures``)."""
    return PartyFigures(party)


__all__ = ["PartyFigures", "memo", "of", "one_build", "per_party", "remember"]
