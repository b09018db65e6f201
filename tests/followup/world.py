"""Step 5 objects for every test world (see tests/factories.py)."""

from samverkan.followup.models import EffectEvaluation


def build(world) -> dict:
    goal = world.partnership.goals.first()
    evaluation = EffectEvaluation.objects.create(
        partnership=world.partnership,
        goal=goal,
        indicator="Anmälda våldsbrott",
        period_before="2025",
        period_after="2026",
        treated_area="Centrum",
        treated_before=40,
        treated_after=30,
    )
    # A part of the 5I write-up, by its address (the page and form work without a stored row).
    return {"evaluation_id": evaluation.pk, "part": "insats"}
