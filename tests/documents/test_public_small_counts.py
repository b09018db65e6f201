"""Small counts in public editions (issue 11, leak 5): a property test over generated counts.

The property: a public edition must not depend on a count under the threshold. If it did, a
reader could tell 1 from 4, or recompute it from a percentage, an estimate or a total. So for
seeded random evaluations, every small count is replaced by another small count, and the
public editions of all five documents must read exactly the same. Where no count is small, the
figures must be there (the suppression is not simply "show nothing").
"""

from __future__ import annotations

import io
import random
import re

import docx
import pytest
from django.conf import settings

from samverkan.analysis.suppression import disclosive, shown
from samverkan.documents import data, services
from samverkan.followup.models import EffectEvaluation
from samverkan.mapping import services as mapping
from samverkan.mapping.models import CrimeStatistic
from tests import factories
from tests.pdf_text import pdf_text

FIELDS = ("treated", "control", "buffer")


def _draw(rng: random.Random, threshold: int, small: bool = True) -> int:
    """A count: often small, sometimes zero, sometimes large."""
    roll = rng.random() if small else 0.55 + 0.45 * rng.random()
    if roll < 0.45:
        return rng.randint(1, threshold - 1)
    if roll < 0.55:
        return 0
    return rng.randint(threshold, 400)


def _counts(rng: random.Random, threshold: int) -> dict[str, int | None]:
    counts: dict[str, int | None] = {}
    small = rng.random() < 0.7
    for prefix in FIELDS:
        present = prefix == "treated" or rng.random() < 0.7
        for when in ("before", "after"):
            counts[f"{prefix}_{when}"] = _draw(rng, threshold, small) if present else None
    return counts


def _swap_small(rng: random.Random, counts: dict, threshold: int) -> dict:
    """The same counts with every small one replaced by a different small one."""
    other = {}
    for key, value in counts.items():
        if value is not None and 0 < value < threshold:
            choices = [v for v in range(1, threshold) if v != value] or [value]
            other[key] = rng.choice(choices)
        else:
            other[key] = value
    return other


def _public_texts(partnership) -> dict[str, str]:
    return {
        kind: "\n".join(data.build(kind, partnership, data.PUBLIC).text_lines())
        for kind in data.KINDS
    }


def _set(evaluation: EffectEvaluation, counts: dict) -> None:
    for key, value in counts.items():
        setattr(evaluation, key, value)
    evaluation.control_area = "Kontrollområdet" if counts["control_before"] is not None else ""
    evaluation.buffer_area = "Omgivningen" if counts["buffer_before"] is not None else ""
    evaluation.save()


def _file_texts(partnership, kind: str) -> tuple[str, str]:
    doc = data.build(kind, partnership, data.PUBLIC)
    pdf = pdf_text(services.render_as(doc, "pdf"))
    word = docx.Document(io.BytesIO(services.render_as(doc, "docx")))
    parts = [p.text for p in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return pdf, " ".join(" ".join(parts).split())


@pytest.mark.slow(reason="prints real PDF and Word files and reads them back")
def test_public_editions_read_the_same_whatever_the_small_counts(db):
    world = factories.make_partnership()
    evaluation = EffectEvaluation.objects.get(pk=world.extra_ids["evaluation_id"])
    threshold = settings.SMALL_COUNT_THRESHOLD
    rng = random.Random(20261201)
    small_trials = shown_trials = 0
    for _trial in range(40):
        counts = _counts(rng, threshold)
        _set(evaluation, counts)
        first = _public_texts(world.partnership)
        if not disclosive(*counts.values(), threshold=threshold):
            shown_trials += 1
            assert f"Före {counts['treated_before']}" in first["followup"].replace("|", " ") or (
                str(counts["treated_before"]) in first["followup"]
            )
            continue
        small_trials += 1
        _set(evaluation, _swap_small(rng, counts, threshold))
        second = _public_texts(world.partnership)
        for kind in data.KINDS:
            assert first[kind] == second[kind], (kind, counts)
        assert "inte redovisas i den offentliga versionen" in first["followup"]
    assert small_trials >= 15 and shown_trials >= 5  # both kinds of case were generated


@pytest.mark.slow(reason="prints real PDF and Word files and reads them back")
def test_public_files_of_every_document_read_the_same_whatever_the_small_counts(db):
    """The same property on the rendered PDF and Word files (fewer trials: rendering costs)."""
    world = factories.make_partnership()
    evaluation = EffectEvaluation.objects.get(pk=world.extra_ids["evaluation_id"])
    threshold = settings.SMALL_COUNT_THRESHOLD
    rng = random.Random(7)
    counts = {
        "treated_before": 4,
        "treated_after": 1,
        "control_before": 60,
        "control_after": 64,
        "buffer_before": None,
        "buffer_after": None,
    }
    _set(evaluation, counts)
    first = {kind: _file_texts(world.partnership, kind) for kind in data.KINDS}
    _set(evaluation, _swap_small(rng, counts, threshold))
    for kind in data.KINDS:
        assert _file_texts(world.partnership, kind) == first[kind], kind
    pdf, word = first["followup"]
    for text in (pdf, word):
        assert "Före 4" not in text and "från 4 till 1" not in text
        assert "inte redovisas i den offentliga versionen" in text


def test_counts_of_causes_and_measures_are_not_suppressed(db):
    """They point out nobody: the public agreement keeps its charts."""
    world = factories.make_partnership()
    doc = data.build("agreement", world.partnership, data.PUBLIC)
    assert "redovisas inte" not in "\n".join(doc.text_lines())


def test_draft_never_gives_a_small_count_back_through_a_percentage(world):
    """The lägesbild draft ("från färre än 5 till 600") prints no change in per cent from a
    suppressed count, and no rate from a suppressed total, over generated statistics."""
    party = world.ours.kommun
    threshold = settings.SMALL_COUNT_THRESHOLD
    rng = random.Random(11)
    categories = [
        ("Misshandel", "Brott mot liv och hälsa"),
        ("Bostadsinbrott", "Stöld, rån och andra tillgreppsbrott"),
        ("Skadegörelse", "Skadegörelsebrott"),
        ("Narkotikabrott", "Narkotikabrott"),
    ]
    pattern = re.compile(rf"färre än {threshold} till [\d\u00a0 ]+ \(")
    for _trial in range(25):
        CrimeStatistic.objects.filter(party=party).delete()
        for offence, category in categories:
            for year in (2024, 2025):
                CrimeStatistic.objects.create(
                    party=party,
                    area="Testkommun",
                    offence=offence,
                    category=category,
                    year=year,
                    count=_draw(rng, threshold),
                )
        text = mapping.draft_text(party)
        assert not pattern.search(text), text
        for number in re.findall(r"från (\d+) till", text):
            assert int(number) == 0 or int(number) >= threshold, text


def test_shown_and_disclosive():
    assert shown(3) == "färre än 5" and shown(0) == "0" and shown(12) == "12"
    assert disclosive(4, 600) and not disclosive(0, 5, None) and disclosive(None, 1)
