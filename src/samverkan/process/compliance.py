"""What Lag (2023:196) asks of the municipality, read from the partnership's own records.

The law (in force since 1 July 2023) requires every municipality to keep a lägesbild of the
crime in the municipality (4 §: a mapping of crime, its extent and consequences, other
information that matters, and an analysis), to decide an åtgärdsplan from it (5 §), and to
have a function that coordinates the work (6 §, samordningsfunktion). Each item here says
whether the records show it, how old it is, when it is due for review, and links to where it
is fixed. Nothing is ticked by hand: everything is computed from the data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from samverkan.partnerships.models import Partnership
from samverkan.process import checklists

if TYPE_CHECKING:
    from samverkan.documents.models import DocumentDecision


# The requirements' keys (``Requirement.key``), listed for the API's schema.
REQUIREMENT_KEYS = (
    "scope",
    "lagesbild",
    "atgardsplan",
    "based_on",
    "coordination",
    "coordinators",
)


@dataclass(frozen=True)
class Requirement:
    key: str
    law: str  # the section of the law, e.g. "4 §"
    label: str
    done: bool
    detail: str
    url: str
    warning: bool = False  # done, but something needs attention (e.g. due for review)

    def __post_init__(self) -> None:
        if self.key not in REQUIREMENT_KEYS:
            raise ValueError(f"a requirement's key must be in REQUIREMENT_KEYS, not {self.key!r}")


@dataclass(frozen=True)
class Compliance:
    items: list[Requirement]

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.done)

    @property
    def all_done(self) -> bool:
        return all(item.done and not item.warning for item in self.items)


def _date(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def _decision_detail(record: DocumentDecision) -> str:
    text = _("Beslutad av %(body)s den %(date)s") % {
        "body": record.body,
        "date": _date(record.decided_on),
    }
    if record.reference:
        text += _(", diarienummer %(ref)s") % {"ref": record.reference}
    return text + "."


def _review(record: DocumentDecision, today: datetime.date) -> tuple[str, bool]:
    if record.next_update_due is None:
        return "", False
    if record.next_update_due <= today:
        return (
            _(" Skulle ha setts över senast %(date)s.") % {"date": _date(record.next_update_due)},
            True,
        )
    return _(" Ses över senast %(date)s.") % {"date": _date(record.next_update_due)}, False


def compliance(partnership: Partnership, today: datetime.date | None = None) -> Compliance:
    from samverkan.documents.models import DocumentDecision

    today = today or datetime.date.today()
    pk = partnership.pk
    decisions = {d.kind: d for d in DocumentDecision.objects.filter(partnership=partnership)}
    issued: dict[str, Any] = dict.fromkeys(("lagesbild", "atgardsplan"))
    # The newest of each kind: one query (ordered as the single-kind reads were).
    for document in partnership.issued_documents.filter(kind__in=list(issued)).order_by(
        "-created_at"
    ):
        if issued[document.kind] is None:
            issued[document.kind] = document
    documents_url = reverse("documents:list", kwargs={"pk": pk})
    items = []

    # The scope: the law speaks of the whole municipality.
    if partnership.covers_whole_municipality:
        scope = _("Samverkan omfattar hela %(m)s.") % {"m": partnership.municipality}
    else:
        scope = _(
            "Samverkan gäller %(area)s. Lagen kräver en lägesbild och en åtgärdsplan för hela "
            "kommunen: se till att resten av kommunen täcks, eller markera att samverkan "
            "omfattar hela kommunen."
        ) % {"area": partnership.area or _("en del av kommunen")}
    items.append(
        Requirement(
            "scope",
            _("hela lagen"),
            _("Omfattar hela kommunen"),
            partnership.covers_whole_municipality,
            scope,
            reverse("partnerships:edit", kwargs={"pk": pk}),
        )
    )

    # 4 §: the lägesbild, decided and kept up to date.
    for kind, law, label in (
        ("lagesbild", "4 §", _("Lägesbild beslutad")),
        ("atgardsplan", "5 §", _("Åtgärdsplan beslutad")),
    ):
        record = decisions.get(kind)
        latest = issued[kind]
        if record is None:
            detail = _("Inget beslut är registrerat.")
            if latest:
                detail += " " + _("Senaste utfärdade version: %(date)s.") % {
                    "date": _date(latest.created_at.date())
                }
            else:
                detail += " " + _("Ingen version är utfärdad ännu.")
            items.append(
                Requirement(
                    kind,
                    law,
                    label,
                    False,
                    detail,
                    reverse("documents:decision", kwargs={"pk": pk, "kind": kind}),
                )
            )
            continue
        age_days = (today - record.decided_on).days
        review, overdue = _review(record, today)
        detail = (
            _decision_detail(record)
            + " "
            + (_("Beslutet är %(n)s dagar gammalt.") % {"n": age_days})
            + review
        )
        if latest is None:
            detail += " " + _("Ingen version är utfärdad i systemet.")
        items.append(
            Requirement(
                kind,
                law,
                label,
                True,
                detail,
                reverse("documents:decision", kwargs={"pk": pk, "kind": kind}),
                warning=overdue or latest is None,
            )
        )

    # 5 §: the plan rests on the situation report.
    plan, picture = decisions.get("atgardsplan"), decisions.get("lagesbild")
    if plan and picture:
        based = plan.decided_on >= picture.decided_on
        detail = (
            _("Åtgärdsplanen beslutades efter lägesbilden.")
            if based
            else _(
                "Åtgärdsplanen beslutades %(plan)s, före lägesbilden (%(picture)s): den ska "
                "bygga på lägesbilden."
            )
            % {"plan": _date(plan.decided_on), "picture": _date(picture.decided_on)}
        )
    else:
        based, detail = False, _("Kräver beslut om både lägesbild och åtgärdsplan.")
    items.append(
        Requirement(
            "based_on",
            "5 §",
            _("Åtgärdsplanen bygger på lägesbilden"),
            based,
            detail,
            documents_url,
        )
    )

    # 6 §: the coordinating function, and the parties' coordinators.
    parties = checklists.shared_parties(partnership)
    # As Partnership.municipality_party, with the parties already read.
    kommun = next((p for p in parties if p.organisation_id == partnership.municipality_id), None)
    coordinator = getattr(kommun, "coordinator", None) if kommun else None
    contact = coordinator and (coordinator.email or coordinator.phone)
    if coordinator and contact:
        detail = _("%(name)s%(title)s, %(contact)s.") % {
            "name": coordinator.name,
            "title": f" ({coordinator.title})" if coordinator.title else "",
            "contact": ", ".join(c for c in (coordinator.email, coordinator.phone) if c),
        }
    elif coordinator:
        detail = _("%(name)s är utsedd men saknar e-post och telefon.") % {"name": coordinator.name}
    else:
        detail = _("Kommunen har ingen samordnare utsedd.")
    items.append(
        Requirement(
            "coordination",
            "6 §",
            _("Samordningsfunktion i kommunen"),
            bool(coordinator and contact),
            detail,
            reverse("partnerships:coordinator_edit", kwargs={"pk": pk, "party_id": kommun.pk})
            if kommun
            else reverse("partnerships:parties", kwargs={"pk": pk}),
        )
    )
    signatories = [p for p in parties if p.is_signatory()]
    missing = [str(p) for p in signatories if not hasattr(p, "coordinator")]
    items.append(
        Requirement(
            "coordinators",
            "6 §",
            _("Varje signerande part har en samordnare"),
            bool(signatories) and not missing,
            _("Saknas för %(parties)s.") % {"parties": ", ".join(missing)}
            if missing
            else ", ".join(f"{p}: {p.coordinator.name}" for p in signatories),
            reverse("partnerships:parties", kwargs={"pk": pk}),
        )
    )
    return Compliance(items)
