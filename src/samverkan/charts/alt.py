"""Alternative texts written from a chart's data: what it shows, how the lines moved or
which bar is highest, then every value, so nothing on the chart is lost to a reader who
cannot see it. Numbers are written as the tables write them (lib/numbers.py).

The texts are in the active language (gettext, the Swedish text as the message id): a page
in English describes its charts in English. Documents are Swedish whatever the reader's
language, so documents/charts.py writes them with Swedish active. On an English page a
number gets a decimal point instead of the comma, as the pages' number filters write it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samverkan.charts.forest import Estimate, interval_text
from samverkan.lib import numbers


def sentence(caption: str) -> str:
    """A caption as it reads inside a sentence: "Anmälda brott" → "anmälda brott" (but an
    abbreviation such as "BRÅ" stays)."""
    return caption[:1].lower() + caption[1:] if caption[1:2].islower() else caption


def _local(text: str) -> str:
    """The decimal mark of the active language: "0,82" in Swedish, "0.82" in English."""
    language = translation.get_language() or "sv"
    return text if language.startswith("sv") else text.replace(",", ".")


def _number(value: float, unit: str) -> str:
    return _local(numbers.with_unit(value, unit))


def line_alt(
    xs: Sequence[int],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    caption: str,
    unit: str = "",
) -> str:
    """ "Linjediagram: <caption>, 2006–2009. stöld … minskade från 1 746 till 1 600, …
    Värden per år: …"."""
    span = f"{xs[0]}–{xs[-1]}" if len(xs) > 1 else str(xs[0]) if xs else ""
    parts = [
        _("Linjediagram: %(caption)s, %(span)s") % {"caption": sentence(caption), "span": span}
    ]
    moves = []
    for label, values in series:
        known = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
        if len(known) < 2:
            continue
        (x0, first), (x1, last) = known[0], known[-1]
        peak_x, peak = max(known, key=lambda item: item[1])
        ends = {"first": _number(first, unit), "last": _number(last, unit)}
        if last > first:
            move = _("ökade från %(first)s till %(last)s") % ends
        elif last < first:
            move = _("minskade från %(first)s till %(last)s") % ends
        else:
            move = _("låg på %(value)s både %(first)s och %(last)s") % {
                "value": ends["first"],
                "first": x0,
                "last": x1,
            }
        if peak > max(first, last):
            move += _(", med högst %(value)s år %(year)s") % {
                "value": _number(peak, unit),
                "year": peak_x,
            }
        moves.append(f"{sentence(label)} {move}")
    if moves:
        parts.append("; ".join(moves))
    missing = _("uppgift saknas")
    values_text = "; ".join(
        f"{label}: "
        + ", ".join(
            f"{x_} {missing if v is None else _number(v, unit)}"
            for x_, v in zip(xs, values, strict=True)
        )
        for label, values in series
    )
    parts.append(_("Värden per år: %(values)s") % {"values": values_text})
    return ". ".join(parts) + "."


def bar_alt(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    caption: str,
    unit: str = "",
    reference: float | None = None,
    reference_label: str = "",
) -> str:
    """ "Stapeldiagram: <caption>. Högst är … med …, lägst … med …. Alla staplar: …"."""
    parts = [_("Stapeldiagram: %(caption)s") % {"caption": sentence(caption)}]
    pairs = list(zip(labels, values, strict=True))
    known = [(label, v) for label, v in pairs if v is not None]
    if len(known) > 1:
        top = max(known, key=lambda item: item[1])
        low = min(known, key=lambda item: item[1])
        parts.append(
            _("Högst är %(top)s med %(top_value)s, lägst %(low)s med %(low_value)s")
            % {
                "top": top[0],
                "top_value": _number(top[1], unit),
                "low": low[0],
                "low_value": _number(low[1], unit),
            }
        )
    if reference is not None:
        parts.append(f"{reference_label or _('Referens')}: {_number(reference, unit)}".strip())
    missing = _("uppgift saknas")
    parts.append(
        _("Alla staplar: %(bars)s")
        % {
            "bars": "; ".join(
                f"{label} {missing if v is None else _number(v, unit)}" for label, v in pairs
            )
        }
    )
    return ". ".join(parts) + "."


def _interval(estimate: Estimate) -> str:
    return _local(interval_text(estimate.ratio, estimate.low, estimate.high))


def forest_alt(rows: Sequence[Estimate], pooled: Estimate | None, *, subject: str) -> str:
    """ "Skogsdiagram: 4 utvärderingar av kameraövervakning; sammanvägd kvot 0,82 (95 % KI
    0,70–0,96). Kvoter mot kontrollområdet på logaritmisk skala; …
    A-stad: Rån: kvot 0,74 (0,52–1,05); …"."""
    head = ngettext(
        "Skogsdiagram: %(count)s utvärdering av %(subject)s",
        "Skogsdiagram: %(count)s utvärderingar av %(subject)s",
        len(rows),
    ) % {"count": len(rows), "subject": sentence(subject)}
    if pooled is not None:
        head += _("; sammanvägd kvot %(ratio)s (95 %% KI %(low)s–%(high)s)") % {
            "ratio": _local(numbers.number(pooled.ratio, 2)),
            "low": _local(numbers.number(pooled.low, 2)),
            "high": _local(numbers.number(pooled.high, 2)),
        }
    parts = [
        head,
        _(
            "Kvoter mot kontrollområdet på logaritmisk skala; under 1 färre brott än i "
            "kontrollområdet, 1 ingen skillnad"
        ),
        "; ".join(
            _("%(label)s: kvot %(interval)s") % {"label": r.label, "interval": _interval(r)}
            for r in rows
        ),
    ]
    if pooled is not None:
        parts.append(
            _("%(label)s (slumpeffektmodell): kvot %(interval)s")
            % {"label": pooled.label, "interval": _interval(pooled)}
        )
    return ". ".join(parts) + "."
