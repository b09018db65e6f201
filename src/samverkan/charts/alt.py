"""Alternative texts written from a chart's data: what it shows, how the lines moved or
which bar is highest, then every value, so nothing on the chart is lost to a reader who
cannot see it. Numbers are written as the tables write them (lib/numbers.py)."""

from __future__ import annotations

from collections.abc import Sequence

from samverkan.lib import numbers


def sentence(caption: str) -> str:
    """A caption as it reads inside a sentence: "Anmälda brott" → "anmälda brott" (but an
    abbreviation such as "BRÅ" stays)."""
    return caption[:1].lower() + caption[1:] if caption[1:2].islower() else caption


def _number(value: float, unit: str) -> str:
    return numbers.with_unit(value, unit)


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
    parts = [f"Linjediagram: {sentence(caption)}, {span}"]
    moves = []
    for label, values in series:
        known = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
        if len(known) < 2:
            continue
        (x0, first), (x1, last) = known[0], known[-1]
        peak_x, peak = max(known, key=lambda item: item[1])
        if last > first:
            move = f"ökade från {_number(first, unit)} till {_number(last, unit)}"
        elif last < first:
            move = f"minskade från {_number(first, unit)} till {_number(last, unit)}"
        else:
            move = f"låg på {_number(first, unit)} både {x0} och {x1}"
        if peak > max(first, last):
            move += f", med högst {_number(peak, unit)} år {peak_x}"
        moves.append(f"{sentence(label)} {move}")
    if moves:
        parts.append("; ".join(moves))
    values_text = "; ".join(
        f"{label}: "
        + ", ".join(
            f"{x_} {'uppgift saknas' if v is None else _number(v, unit)}"
            for x_, v in zip(xs, values, strict=True)
        )
        for label, values in series
    )
    parts.append(f"Värden per år: {values_text}")
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
    parts = [f"Stapeldiagram: {sentence(caption)}"]
    pairs = list(zip(labels, values, strict=True))
    known = [(label, v) for label, v in pairs if v is not None]
    if len(known) > 1:
        top = max(known, key=lambda item: item[1])
        low = min(known, key=lambda item: item[1])
        parts.append(
            f"Högst är {top[0]} med {_number(top[1], unit)}, "
            f"lägst {low[0]} med {_number(low[1], unit)}"
        )
    if reference is not None:
        parts.append(f"{reference_label or 'Referens'}: {_number(reference, unit)}".strip())
    parts.append(
        "Alla staplar: "
        + "; ".join(
            f"{label} {'uppgift saknas' if v is None else _number(v, unit)}" for label, v in pairs
        )
    )
    return ". ".join(parts) + "."
