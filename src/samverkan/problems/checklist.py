"""Step 3's "klart när" checklist, computed from the data (handbook p. 78)."""

from __future__ import annotations

from django.db.models import Exists
from django.utils.translation import gettext_lazy as _

from samverkan.partnerships.models import Partnership
from samverkan.problems.choices import GoalKind, ProblemStatus
from samverkan.problems.models import Cause, Measure, ProblemPicture
from samverkan.process.checklists import (
    Checklist,
    ChecklistItem,
    register,
    shared_goals,
    shared_parties,
)


@register(3)
def step3(partnership: Partnership) -> Checklist:
    picture = ProblemPicture.objects.filter(partnership=partnership).first()
    prioritised = list(partnership.problems.filter(status=ProblemStatus.PRIORITISED))
    # The checklist counts every item, confidential ones included: it shows no content.
    causes = list(Cause.objects.filter(partnership=partnership).values_list("pk", "problem_id"))
    measures = list(
        Measure.objects.filter(partnership=partnership).values_list(
            "pk", "responsible_party_id", "how_what"
        )
    )
    # Which measure answers which cause: the link table once, for both directions.
    links = list(
        Measure.causes.through.objects.filter(measure__partnership=partnership).values_list(
            "measure_id", "cause_id"
        )
    )
    linked_causes = {cause for _measure, cause in links}
    linked_measures = {measure for measure, _cause in links}
    goals = shared_goals(partnership)
    # Whether a glossary and a signed agreement exist: both in one query.
    has = (
        Partnership.objects.filter(pk=partnership.pk)
        .values(
            has_glossary=Exists(partnership.glossary.all()),
            has_signed=Exists(partnership.signed_agreements.all()),
        )
        .get()
    )
    signing = {p.pk for p in shared_parties(partnership) if p.is_signatory()}

    def goal_ok(problem_id: int) -> bool:
        return any(
            g.problem_id == problem_id and g.kind == GoalKind.EFFECT and g.has_indicator()
            for g in goals
        )

    items = (
        ChecklistItem(
            _("Den gemensamma problembilden är bekräftad av alla signerande parter"),
            # As ProblemPicture.is_confirmed, with the parties already read.
            picture is not None and bool(signing) and signing <= picture.confirmed_party_ids(),
        ),
        ChecklistItem(_("Parterna har en gemensam begreppslista"), has["has_glossary"]),
        ChecklistItem(
            _("Styrgruppen har prioriterat minst ett problem"),
            bool(prioritised),
        ),
        ChecklistItem(
            _("Varje prioriterat problem har en orsaksanalys"),
            bool(prioritised)
            and all(any(problem == p.pk for _c, problem in causes) for p in prioritised),
        ),
        ChecklistItem(
            _("Varje prioriterat problem har ett effektmål med indikator"),
            bool(prioritised) and all(goal_ok(p.pk) for p in prioritised),
        ),
        ChecklistItem(
            _("Varje orsak har en åtgärd och varje åtgärd svarar mot en orsak"),
            bool(causes)
            and all(cause in linked_causes for cause, _problem in causes)
            and all(measure in linked_measures for measure, _party, _how in measures),
        ),
        ChecklistItem(
            _("Varje åtgärd har ansvarig och en beskrivning av hur den genomförs"),
            bool(measures) and all(party and how.strip() for _m, party, how in measures),
        ),
        ChecklistItem(
            _("Uppföljningen är planerad för varje mål"),
            bool(goals) and all(g.has_followup_plan() for g in goals),
        ),
        ChecklistItem(
            _("Samverkansöverenskommelsen är undertecknad och uppladdad"),
            has["has_signed"],
        ),
    )
    return Checklist(3, items)
