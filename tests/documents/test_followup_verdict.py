"""The follow-up report leads with the same verdict as the follow-up page; the methods'
technical names come after, in a section of their own."""

from __future__ import annotations

from decimal import Decimal

from samverkan.documents import data
from samverkan.followup import services


def _evaluation(world, before=110, after=92):
    goal = world.ours.partnership.goals.get(kind="effect")
    goal.baseline, goal.target, goal.baseline_period = Decimal(110), Decimal(88), "2025"
    goal.deadline = None
    goal.save()
    ev = goal.evaluations.get()
    ev.treated_before, ev.treated_after = before, after
    ev.control_area, ev.control_before, ev.control_after = "Väster", 100, 104
    ev.save()
    return ev


def _lines(world, edition=data.INTERNAL):
    return data.build("followup", world.ours.partnership, edition, world.alice).text_lines()


def test_report_leads_with_the_verdict_and_names_methods_later(world):
    ev = _evaluation(world)
    verdict = services.evaluate(ev).verdict
    assert verdict.kind == "not_met"
    lines = _lines(world)
    text = "\n".join(lines)
    summary = lines.index("# Sammanfattning: är målen nådda?")
    process = lines.index("# Processuppföljning")
    methods = lines.index("# Metoder och beräkningar")
    assert summary < process < lines.index("# Effektuppföljning") < methods
    # The verdict, word for word as on the page, right under the first heading.
    first = lines[summary + 1]
    assert verdict.sentence in first and verdict.certainty in first
    assert first.startswith(ev.goal.text)
    # Technical names only in the methods section.
    before_methods = "\n".join(lines[:methods])
    for word in ("E-test", "WDD", "Poissontal", "Skattning", "Standardfel"):
        assert word not in before_methods, word
        assert word in "\n".join(lines[methods:]) or word == "Poissontal"
    assert "Målet är inte nått: 92 (2026) mot målvärdet 88" in text


def test_goal_met_is_said_in_the_report_too(world):
    _evaluation(world, after=60)
    lines = _lines(world)
    summary = lines.index("# Sammanfattning: är målen nådda?")
    assert "Målet är nått: 60" in lines[summary + 1]


def test_public_edition_withholds_the_verdict_of_small_counts(world, settings):
    settings.SMALL_COUNT_THRESHOLD = 5
    _evaluation(world, before=4, after=3)
    text = "\n".join(_lines(world, data.PUBLIC))
    assert "Målet är" not in text
    assert "resultatet bara redovisas i den interna versionen" in text
