"""The rest of a coordinator's work through the API: the problem picture and prioritisation
(step 3), citizen promises, the decisions on the lägesbild and åtgärdsplan with their
diarienummer and the Lagkrav (2023:196) status, goals' results over time, and a party's own
registers from step 2 (only to that party's members: 403 for another party)."""

from __future__ import annotations

import datetime
import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias, Union

import pydantic
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError, ValidationError

from samverkan.accounts import access, audience
from samverkan.api.api import (
    ERRORS,
    Page,
    Since,
    _check,
    _list,
    _partnership,
    _party,
    paged,
    since,
)
from samverkan.api.schemas import (
    DocumentDecisionOut,
    DocumentFeedOut,
    Error,
    GoalResultsOut,
    Invalid,
    LagkravOut,
    PrioritisationOut,
    ProblemPictureOut,
    prioritisation_of,
    str_enum,
)
from samverkan.api.writes import CONFLICT, english, form_data, form_schema, invalid, is_valid

router = Router(tags=["work"])


@router.get("/partnerships/{pk}/problem-picture", response={200: ProblemPictureOut, **ERRORS})
def problem_picture(request: HttpRequest, pk: int) -> Any:
    from samverkan.problems.models import ProblemPicture

    p = _partnership(request, pk)
    # Not written yet: an empty one, at version 0 (ProblemPictureOut reads either).
    return ProblemPicture.objects.filter(partnership=p).first() or ProblemPicture(
        partnership=p, version=0
    )


class ProblemPictureIn(Schema):
    text: str | None = Field(None, description="The joint problem picture (left out: kept).")
    conditions: str | None = Field(None, description="What the parties can and cannot "
                                   "influence together (left out: kept).")  # fmt: skip
    version: int = Field(
        description="The `version` you read (0 while none is written); 409 only if someone "
        "else changed it since."
    )


@router.put(
    "/partnerships/{pk}/problem-picture",
    response={200: ProblemPictureOut, 409: Error, **ERRORS},
    tags=["writes"],
    summary="Change the joint problem picture as its page does: a change withdraws the "
    "parties' confirmations",
)
def problem_picture_update(request: HttpRequest, pk: int, payload: ProblemPictureIn) -> Any:
    from django.db import transaction

    from samverkan.problems import forms, services
    from samverkan.problems.models import ProblemPicture

    p = _partnership(request, pk, "edit")
    with transaction.atomic():
        picture, created = ProblemPicture.objects.get_or_create(partnership=p)
        had_confirmations = picture.confirmations.exists()
        sent = payload.model_dump(exclude_unset=True)
        data = {
            "text": sent.get("text") if sent.get("text") is not None else picture.text,
            "conditions": sent["conditions"]
            if sent.get("conditions") is not None
            else picture.conditions,
            # The version 0 read before any picture was written is the new one's first.
            "version": picture.version if created and payload.version == 0 else payload.version,
        }
        form = forms.ProblemPictureForm(data, instance=picture)
        _check(form)
        saved = form.save_checked()
        if saved is None:
            raise HttpError(409, "Someone else changed the problem picture; read it again.")
        if form.has_changed() and had_confirmations:
            services.withdraw_confirmations(saved)
    return ProblemPicture.objects.get(pk=saved.pk)


@router.get(
    "/partnerships/{pk}/prioritisation",
    response={200: PrioritisationOut, **ERRORS},
    summary="The problems ranked by the weighted criteria, with each score and weight",
)
def prioritisation(request: HttpRequest, pk: int) -> dict:
    return prioritisation_of(_partnership(request, pk))


def _decisions(partnership: Any) -> list[Any]:
    from samverkan.documents.models import DocumentDecision

    return list(
        DocumentDecision.objects.filter(partnership=partnership)
        .select_related("approved")
        .order_by("kind")
    )


@router.get(
    "/partnerships/{pk}/document-decisions",
    response={200: list[DocumentDecisionOut], **ERRORS},
    summary="The decisions on the lägesbild and the åtgärdsplan, with their diarienummer",
)
def document_decisions(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    from samverkan.documents.models import DocumentDecision

    p = _partnership(request, pk)
    rows = (
        DocumentDecision.objects.filter(partnership=p).select_related("approved").order_by("kind")
    )
    return _list(request, response, rows, p, page, when)


@router.get(
    "/partnerships/{pk}/lagkrav",
    response={200: LagkravOut, **ERRORS},
    summary="What Lag (2023:196) asks of the municipality, computed from the records",
)
def lagkrav(request: HttpRequest, pk: int) -> dict:
    from samverkan.process.compliance import compliance

    p = _partnership(request, pk)
    status = compliance(p)
    return {
        "all_done": status.all_done,
        "done_count": status.done_count,
        "items": [
            {
                "key": i.key,
                "law": i.law,
                "label": i.label,
                "done": i.done,
                "warning": i.warning,
                "detail": i.detail,
            }  # fmt: skip
            for i in status.items
        ],
        "decisions": _decisions(p),
    }


def _float(value: Any) -> float | None:
    return None if value in (None, "") else float(value)


@router.get(
    "/partnerships/{pk}/goals/{goal_id}/results",
    response={200: GoalResultsOut, **ERRORS},
    summary="A goal's indicator over time: its baseline, each closed cycle's result, the "
    "evaluations' before and after counts, and a production goal's count per month",
)
def goal_results(request: HttpRequest, pk: int, goal_id: int) -> dict:
    from samverkan.implementation.models import ActivityEntry
    from samverkan.problems.models import Goal, Measure

    p = _partnership(request, pk)
    goal = access.scoped(Goal.objects.all(), p, goal_id)
    points: list[dict] = []
    for cycle in p.cycles.exclude(summary={}).order_by("number"):
        summary = cycle.summary or {}
        # The summary lists the goals in the same order as what it keeps to restore them.
        for kept, result in zip(summary.get("restore", []), summary.get("goals", []), strict=False):
            if kept.get("goal") != goal.pk:
                continue
            number = cycle.number
            points.append({"source": "baseline", "period": kept.get("baseline_period") or "",
                           "value": _float(kept.get("baseline")), "cycle": number})  # fmt: skip
            if result.get("result") is not None:
                points.append({"source": "cycle", "period": result.get("result_period") or "",
                               "value": _float(result["result"]), "cycle": number})  # fmt: skip
    points.append({"source": "baseline", "period": goal.baseline_period,
                   "value": _float(goal.baseline)})  # fmt: skip
    for ev in goal.evaluations.order_by("pk"):
        points.append({"source": "evaluation_before", "period": ev.period_before,
                       "value": float(ev.treated_before), "evaluation_id": ev.pk})  # fmt: skip
        points.append({"source": "evaluation_after", "period": ev.period_after,
                       "value": float(ev.treated_after), "evaluation_id": ev.pk})  # fmt: skip
    # Work logged against a production goal, per month; only from the measures the reader
    # receives in full (a confidential measure's log counts stay with its parties).
    to = audience.for_user(request.user, p)
    months = (
        # Through the readable measures' ids: the filter's join over allowed_parties would
        # count an entry once per reader party allowed to see its measure.
        ActivityEntry.objects.filter(
            measure__in=Measure.objects.filter(to.measure_q(), partnership=p).values("pk"),
            production_goal=goal,
        )
        .exclude(count__isnull=True)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(n=Sum("count"))
        .order_by("month")
    )
    for row in months:
        month = row["month"]
        label = month.strftime("%Y-%m") if isinstance(month, datetime.date) else str(month)[:7]
        points.append({"source": "activities", "period": label, "value": float(row["n"])})
    return {
        "goal_id": goal.pk,
        "kind": goal.kind,
        "indicator": goal.indicator,
        "unit": goal.unit,
        "baseline": _float(goal.baseline),
        "baseline_period": goal.baseline_period,
        "target": _float(goal.target),
        "deadline": goal.deadline,
        "points": points,
    }


# ---- step 2: a party's own registers ------------------------------------------------------------

# The registers, each with the fields it gives (files and notes of experience stay on the pages:
# a photo or a free-text note may show people).
REGISTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "safety-walks": (
        "safety_walk_observations",
        ("observed_on", "place", "x", "y", "category", "note"),
    ),
    "surveys": ("survey_results", ("question", "area", "year", "share", "n")),
    "key-figures": ("key_figures", ("kpi", "municipality_code", "year", "gender", "value")),
    "crime-costs": ("crime_costs", ("item", "amount", "year", "source")),
    "resources": ("resources", ("who", "what", "budget", "staff", "target_group", "area")),
    "activities": ("activities", ("who", "what", "budget", "staff", "target_group", "area")),
    "crime-statistics": ("crime_statistics", ()),
}

if TYPE_CHECKING:
    RegisterKind = enum.Enum
else:
    RegisterKind = str_enum("RegisterKind", REGISTERS)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def _register_fields(kind: str, model: Any) -> tuple[str, ...]:
    fields = REGISTERS[kind][1]
    return fields or tuple(
        f.name
        for f in model._meta.concrete_fields
        if not f.primary_key and not f.is_relation and f.name not in ("version",)
    )


def register_row(kind: str, row: Any) -> dict[str, Any]:
    """One row of a register as every answer gives it (the list, the item, a write's), with
    the ``version`` to send back when the register is written through the API (the imported
    ones have none)."""
    from samverkan.lib.versioning import Versioned

    fields = _register_fields(kind, type(row))
    answer = {"id": row.pk, **{name: _plain(getattr(row, name)) for name in fields}}
    if isinstance(row, Versioned):
        answer["version"] = row.version
    return answer


@router.get(
    "/partnerships/{pk}/parties/{party_id}/registers/{kind}",
    response={200: list[dict[str, Any]], **ERRORS},
    summary="A register from the party's own mapping (step 2), row by row: only to the party's "
    "members (403 for another party's); coordinates in SWEREF 99 TM",
)
def register(
    request: HttpRequest,
    response: HttpResponse,
    pk: int,
    party_id: int,
    kind: RegisterKind,
    page: Query[Page],
    when: Query[Since],
) -> list[dict]:
    p = _partnership(request, pk)
    party = _party(request, p, party_id)
    manager = getattr(party, REGISTERS[kind.value][0])
    rows = since(manager.order_by("pk"), p, when.changed_since)
    return [register_row(kind.value, row) for row in paged(request, response, rows, page)]


# ---- step 2: writing a party's own registers, as the register pages do --------------------------


def _register_forms() -> dict[str, tuple[str, Any]]:
    """The registers a member of the party edits on its pages, with their page forms."""
    from samverkan.mapping import forms

    return {
        "safety-walks": ("RegisterSafetyWalk", forms.SafetyWalkForm),
        "surveys": ("RegisterSurvey", forms.SurveyResultForm),
        "crime-costs": ("RegisterCrimeCost", forms.CrimeCostForm),
        "resources": ("RegisterResource", forms.ResourceForm),
        "activities": ("RegisterActivity", forms.ActivityForm),
    }


def _register_schemas(update: bool) -> dict[str, type[Schema]]:
    return {
        kind: form_schema(stem + ("Update" if update else "In"), form, update=update)
        for kind, (stem, form) in _register_forms().items()
    }


REGISTER_IN = _register_schemas(update=False)
REGISTER_UPDATE = _register_schemas(update=True)

if TYPE_CHECKING:
    WritableRegister = enum.Enum
    RegisterIn: TypeAlias = Any
    RegisterUpdate: TypeAlias = Any
else:
    WritableRegister = str_enum("WritableRegister", REGISTER_IN)
    RegisterIn = Union[tuple(REGISTER_IN.values())]  # noqa: UP007 - built at run time
    RegisterUpdate = Union[tuple(REGISTER_UPDATE.values())]  # noqa: UP007


def _register_payload(request: HttpRequest, schema: type[Schema]) -> Schema:
    """The body read as the register's own schema (the body's type lists every register's;
    the path's ``kind`` says which one this is), 422 as any other invalid body."""
    import json

    try:
        return schema.model_validate(json.loads(request.body or b"{}"))
    except pydantic.ValidationError as error:
        raise ValidationError(
            [
                {
                    "type": e["type"],
                    "loc": ["body", "payload", *e["loc"]],
                    "msg": e["msg"],
                    "ctx": {k: str(v) for k, v in (e.get("ctx") or {}).items()},
                }
                for e in error.errors(include_url=False)
            ]
        ) from None


def _register_item(request: HttpRequest, pk: int, party_id: int, kind: str, item_id: int,
                   action: str = "view") -> tuple[Any, Any]:  # fmt: skip
    """The party (its members only: 403 for another party's) and one row of its register."""
    p = _partnership(request, pk, action)
    party = _party(request, p, party_id)
    row = getattr(party, REGISTERS[kind][0]).filter(pk=item_id).first()
    if row is None:
        raise HttpError(404, "Not found")
    return party, row


@router.get(
    "/partnerships/{pk}/parties/{party_id}/registers/{kind}/{item_id}",
    response={200: dict[str, Any], **ERRORS},
    summary="One row of a register of the party's own mapping (its members only)",
)
def register_detail(
    request: HttpRequest, pk: int, party_id: int, kind: RegisterKind, item_id: int
) -> dict:
    _party_, row = _register_item(request, pk, party_id, kind.value, item_id)
    return register_row(kind.value, row)


@router.post(
    "/partnerships/{pk}/parties/{party_id}/registers/{kind}",
    response={201: dict[str, Any], 422: Invalid, **ERRORS},
    tags=["writes"],
    summary="Add a row to a register of the party's own mapping, as its page does (only the "
    "party's members with a right to change: 403 for another party's); the body is the "
    "register's (`kind`)",
)
def register_create(
    request: HttpRequest, pk: int, party_id: int, kind: WritableRegister, payload: RegisterIn
) -> Status:
    p = _partnership(request, pk, "edit")
    party = _party(request, p, party_id)
    sent = _register_payload(request, REGISTER_IN[kind.value])
    form_class = _register_forms()[kind.value][1]
    model = getattr(party, REGISTERS[kind.value][0]).model
    with english():
        blank = form_class(None, None, instance=model(party=party))
        form = form_class(form_data(blank, sent), None, instance=model(party=party))
    if not is_valid(form):
        raise invalid(form)
    saved = form.save_checked()
    if saved is None:  # pragma: no cover - a new row has no version to conflict with
        raise HttpError(409, CONFLICT)
    return Status(201, register_row(kind.value, saved))


@router.patch(
    "/partnerships/{pk}/parties/{party_id}/registers/{kind}/{item_id}",
    response={200: dict[str, Any], 409: Error, **ERRORS},
    tags=["writes"],
    summary="Change a row of a register of the party's own mapping: the fields sent, with "
    "the version read (the party's members with a right to change only)",
)
def register_update(
    request: HttpRequest,
    pk: int,
    party_id: int,
    kind: WritableRegister,
    item_id: int,
    payload: RegisterUpdate,
) -> dict:
    _party_, row = _register_item(request, pk, party_id, kind.value, item_id, "edit")
    sent = _register_payload(request, REGISTER_UPDATE[kind.value])
    form_class = _register_forms()[kind.value][1]
    with english():
        current = form_class(None, None, instance=row)
        form = form_class(form_data(current, sent, row), None, instance=row)
    if not is_valid(form):
        if form.non_field_errors() and row.version != sent.version:  # type: ignore[attr-defined]
            raise HttpError(409, CONFLICT)
        raise invalid(form)
    saved = form.save_checked()
    if saved is None:
        raise HttpError(409, CONFLICT)
    return register_row(kind.value, type(row).objects.get(pk=saved.pk))


# ---- the change feed of documents ---------------------------------------------------------------


@router.get(
    "/partnerships/{pk}/documents/feed",
    response={200: DocumentFeedOut, **ERRORS},
    summary="What happened to the documents since a cursor: each issued version and each "
    "recorded decision, oldest first (for a diarium; poll with `after` = `next_after`)",
)
def document_feed(
    request: HttpRequest,
    pk: int,
    after: int = Query(0, ge=0, description="The last cursor you read (0 from the start)."),
    limit: int = Query(100, ge=1, le=1000),
) -> dict:
    from samverkan.accounts.models import AuditAction, AuditEntry
    from samverkan.documents.models import DocumentDecision, IssuedDocument

    p = _partnership(request, pk)
    candidates = AuditEntry.objects.filter(
        partnership=p, model_label__in=("documents.issueddocument", "documents.documentdecision")
    ).exclude(action=AuditAction.DELETE)

    def readable(batch: list[Any]) -> list[dict]:
        """The events of ``batch`` this reader may see, in order."""
        issued = IssuedDocument.objects.in_bulk(
            [int(e.object_id) for e in batch if e.model_label == "documents.issueddocument"]
        )
        decided = DocumentDecision.objects.select_related("approved").in_bulk(
            [int(e.object_id) for e in batch if e.model_label == "documents.documentdecision"]
        )
        out: list[dict] = []
        for entry in batch:
            if entry.model_label == "documents.issueddocument":
                version = issued.get(int(entry.object_id))
                # A version holding confidential items goes only to those who may read each.
                if version is None or not access.may_download_issued(request.user, version):
                    continue
                out.append({"cursor": entry.pk, "at": entry.at, "event": "issued",
                            "document": version})  # fmt: skip
            else:
                record = decided.get(int(entry.object_id))
                if record is None:
                    continue
                out.append({"cursor": entry.pk, "at": entry.at, "event": "decided",
                            "decision": record})  # fmt: skip
        return out

    # The events the reader may not see are left out BEFORE the page is cut: the cursor and
    # ``more`` refer only to readable events, so they never tell that a withheld version
    # exists, nor when it was issued.
    events: list[dict] = []
    more = False
    scanned = after
    batch_size = max(limit + 1, 200)
    while not more:
        batch = list(candidates.filter(pk__gt=scanned).order_by("pk")[:batch_size])
        if not batch:
            break
        for event in readable(batch):
            if len(events) == limit:
                more = True
                break
            events.append(event)
        scanned = batch[-1].pk
        if len(batch) < batch_size:
            break
    return {"events": events, "next_after": events[-1]["cursor"] if events else after,
            "more": more}  # fmt: skip


# The rest of the work is written through api.writes (same gate, same forms as the pages).
from samverkan.api import writes  # noqa: E402

router.add_router("", writes.router)
