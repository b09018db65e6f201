"""Writes for the objects a coordinator handles in steps 3–5 (issue 21): problems, causes,
goals with their indicators, measures, decisions with their diarienummer, meetings and
citizen promises; and the deletion feed a syncing client reads.

Every write goes through the same gate and the same form as the page (``edit``: a reader or a
field reporter gets 403, someone outside the partnership 404), saved with the form's own
optimistic locking, so validation and the history are the page's. The token's owner is the
acting user (``api.TokenAuth``), so the history names them.

The request bodies are derived from the forms' fields (``form_schema``): a field added to a
form is writable here at once, and a field with fixed choices is an enum in the schema (the
project's own choices class where one matches). An update is a PATCH: the fields sent
replace the current values, the rest stay, and ``version`` must be the one read (409 only
if someone else changed the object since).
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from django import forms
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import create_model

from samverkan.accounts import access, audience
from samverkan.api.api import (
    ERRORS,
    Moment,
    Page,
    Since,
    _check,
    _form_errors,
    _list,
    _partnership,
    paged,
)
from samverkan.api.api import router as core
from samverkan.api.schemas import (
    CauseOut,
    CitizenPromiseOut,
    CoordinatorOut,
    DecisionOut,
    DocumentDecisionOut,
    Error,
    EvaluationOut,
    GlossaryTermOut,
    GoalOut,
    GroupMemberOut,
    GroupOut,
    HarmWeightsOut,
    MeasureOut,
    MeetingOut,
    MilestoneOut,
    PartyOut,
    ProblemOut,
    SteeringResponseOut,
    WriteUpPartOut,
    prepare_promises,
    str_enum,
)
from samverkan.followup.models import WriteUpPart

router = Router(tags=["writes"])
# A path's operations must sit on one router (one URL pattern each): a create goes on the
# router that lists the collection (the core's; the work's for citizen promises).


# ---- request bodies from the forms --------------------------------------------------------------


def _choices_class(values: list[str], model: str, name: str) -> type[enum.Enum] | None:
    """The project's TextChoices class with exactly these values, so the schema names the
    enum as the answers do (e.g. ``GoalKind``); where several have them, the one named for
    the model or the field (``MeasureKind``); None if there is none."""

    def subclasses(cls: type) -> list[type]:
        found: list[type] = []
        sub: type
        for sub in cls.__subclasses__():
            found.append(sub)
            found.extend(subclasses(sub))
        return found

    found = [
        cls
        for cls in subclasses(models.TextChoices)
        if cls.__module__.startswith("samverkan.") and list(cls.values) == values  # type: ignore[attr-defined]
    ]
    if len(found) > 1:
        words = (model.lower(), name.replace("_", "").lower())
        found = [cls for cls in found if any(w in cls.__name__.lower() for w in words)]
    return found[0] if len(found) == 1 else None


def api_name(name: str, form_field: forms.Field) -> str:
    """The name of a form field in the API: a related object by its id (``problem_id``),
    several by their ids (``cause_ids``, ``party_ids``)."""
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        singular = name[:-3] + "y" if name.endswith("ies") else name.removesuffix("s")
        return f"{singular}_ids"
    if isinstance(form_field, forms.ModelChoiceField):
        return f"{name}_id"
    return name


def _api_type(model: str, name: str, form_field: forms.Field) -> Any:
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        return list[int]
    if isinstance(form_field, forms.ModelChoiceField):
        return int
    if isinstance(form_field, forms.TypedChoiceField):
        offered: Any = form_field.choices
        numbers = [k for k, _label in offered if k not in ("", None)]
        if numbers and all(isinstance(k, int) for k in numbers):
            return Literal[tuple(numbers)]  # a milestone's step: 1–5, as numbers
    if isinstance(form_field, forms.ChoiceField):
        choices: Any = form_field.choices
        values = [str(k) for k, _label in choices if k not in ("", None)]
        return _choices_class(values, model, name) or str_enum(
            model + "".join(p.title() for p in name.split("_")), values
        )
    if isinstance(form_field, forms.BooleanField):
        return bool
    if isinstance(form_field, forms.DateTimeField):
        return Moment
    if isinstance(form_field, forms.DateField):
        return datetime.date
    if isinstance(form_field, forms.DecimalField | forms.FloatField):  # before IntegerField
        return float
    if isinstance(form_field, forms.IntegerField):
        return int
    return str


def _initial(form_field: forms.Field) -> Any:
    value = form_field.initial
    return None if callable(value) else value


def form_schema(
    name: str, form_class: Any, *, update: bool, version_optional: bool = False
) -> type[Schema]:
    """A request body with the form's fields (files and the hidden version left out):
    on create, what the form requires is required and the rest takes the form's initial
    value; on update (PATCH) every field is optional and ``version`` is required. (The
    forms' Swedish labels and help texts stay on the pages.)"""
    fields: dict[str, Any] = {}
    for field_name, form_field in form_class.base_fields.items():
        if field_name == "version" or isinstance(form_field, forms.FileField):
            continue
        kind = _api_type(form_class._meta.model.__name__, field_name, form_field)
        initial = _initial(form_field)
        if isinstance(form_field, forms.BooleanField):
            initial = bool(initial)
        if update:
            fields[api_name(field_name, form_field)] = (kind | None, Field(None))
        elif form_field.required and initial is None:
            fields[api_name(field_name, form_field)] = (kind, Field(...))
        elif isinstance(form_field, forms.ModelMultipleChoiceField):
            fields[api_name(field_name, form_field)] = (kind, Field(default_factory=list))
        else:
            fields[api_name(field_name, form_field)] = (kind | None, Field(initial))
    if version_optional:
        fields["version"] = (
            int | None,
            Field(
                None,
                description="The `version` you read, if it exists (409 if someone "
                "else changed it since); leave out to record it the first time.",
            ),
        )
    elif update:
        fields["version"] = (
            int,
            Field(
                ...,
                description="The `version` you read; 409 only if someone else changed "
                "the object since.",
            ),
        )
    return create_model(name, __base__=Schema, **fields)


def _form_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 250000.0 is 250000 (a whole-krona field takes no decimals)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set) or hasattr(value, "all"):
        items = value.all() if hasattr(value, "all") else value
        return [_form_value(v) for v in items]
    return value


def form_data(form: forms.BaseForm, payload: Schema, instance: Any = None) -> dict[str, Any]:
    """The data to bind ``form`` with: the object's current values (an update), with what the
    payload sends in their place. A related object the form does not offer the user (a
    confidential cause they may not read) is left as the page leaves it: unchosen."""
    sent = payload.model_dump(exclude_unset=instance is not None)
    data: dict[str, Any] = {}
    for name, form_field in form.fields.items():
        if name == "version" or isinstance(form_field, forms.FileField):
            continue
        key = api_name(name, form_field)
        if key in sent:
            value = sent[key]
        elif instance is not None:
            value = form.initial.get(name)
            if isinstance(form_field, forms.ModelMultipleChoiceField):
                queryset: Any = form_field.queryset
                offered = set(queryset.values_list("pk", flat=True))
                value = [pk for pk in _form_value(value or []) if pk in offered]
        else:
            value = None
        if isinstance(form_field, forms.BooleanField) and value in (None, ""):
            value = False
        data[name] = _form_value(value)
    if instance is not None:
        data["version"] = sent["version"]
    return data


# ---- the objects --------------------------------------------------------------------------------


@dataclass
class Kind:
    """One writable object: its model, the page's form, who may read it, its answer."""

    label: str  # app.model
    collection: str  # the list's path under the partnership
    form: Callable[..., forms.BaseForm]  # (data, request, partnership, instance) -> form
    readable: Callable[[HttpRequest, Any], models.QuerySet]  # (request, partnership)
    out: type[Schema]
    prepare: Callable[[HttpRequest, Any, list[Any]], None] = field(
        default=lambda request, partnership, rows: None
    )


def _problem_form(data: Any, request: HttpRequest, partnership: Any, instance: Any) -> Any:
    from samverkan.problems.forms import ProblemForm

    return ProblemForm(data, instance=instance, partnership=partnership)


def _cause_form(data: Any, request: HttpRequest, partnership: Any, instance: Any) -> Any:
    from samverkan.problems.forms import CauseForm

    return CauseForm(data, instance=instance, partnership=partnership, user=request.user)


def _goal_form(data: Any, request: HttpRequest, partnership: Any, instance: Any) -> Any:
    from samverkan.problems.forms import GoalForm

    return GoalForm(data, instance=instance, partnership=partnership, user=request.user)


def _measure_form(data: Any, request: HttpRequest, partnership: Any, instance: Any) -> Any:
    from samverkan.problems.forms import MeasureForm

    return MeasureForm(data, instance=instance, partnership=partnership, user=request.user)


def _decision_form(data: Any, request: HttpRequest, partnership: Any, instance: Any) -> Any:
    from samverkan.partnerships.forms import DecisionForm

    return DecisionForm(data, None, instance=instance, partnership=partnership)


def _meeting_form(data: Any, request: HttpRequest, partnership: Any, instance: Any) -> Any:
    from samverkan.partnerships.forms import MeetingForm

    return MeetingForm(data, instance=instance, partnership=partnership)


def _promise_form(data: Any, request: HttpRequest, partnership: Any, instance: Any) -> Any:
    from samverkan.problems.forms import CitizenPromiseForm

    return CitizenPromiseForm(data, instance=instance, partnership=partnership)


def _evaluation_form(data: Any, request: HttpRequest, partnership: Any, instance: Any) -> Any:
    from samverkan.followup.forms import EvaluationForm

    return EvaluationForm(data, instance=instance, partnership=partnership)


def _glossary_form(data: Any, request: HttpRequest, partnership: Any, instance: Any) -> Any:
    from samverkan.problems.forms import GlossaryTermForm

    return GlossaryTermForm(data, instance=instance, partnership=partnership)


def _party_form(data: Any, request: HttpRequest, partnership: Any, instance: Any) -> Any:
    from samverkan.partnerships.forms import PartyForm

    return PartyForm(data, instance=instance, partnership=partnership)


def _parties(request: HttpRequest, partnership: Any) -> models.QuerySet:
    return partnership.parties.select_related("organisation")


def _group_form(data: Any, request: HttpRequest, partnership: Any, instance: Any) -> Any:
    from samverkan.partnerships.forms import GroupForm

    return GroupForm(data, instance=instance, partnership=partnership)


def _member_form(data: Any, request: HttpRequest, partnership: Any, instance: Any) -> Any:
    from samverkan.partnerships.forms import GroupMemberForm

    # Changes only (a new member is added to the group its path names: group_member_create).
    return GroupMemberForm(data, instance=instance, group=instance.group)


def _coordinator_form(data: Any, request: HttpRequest, partnership: Any, instance: Any) -> Any:
    from samverkan.partnerships.forms import CoordinatorForm

    # Changes only (a new coordinator belongs to the party its path names: coordinator_create).
    return CoordinatorForm(data, instance=instance)


def _milestone_form(data: Any, request: HttpRequest, partnership: Any, instance: Any) -> Any:
    from samverkan.partnerships.forms import MilestoneForm

    return MilestoneForm(data, instance=instance, partnership=partnership)


def _members(request: HttpRequest, partnership: Any) -> models.QuerySet:
    from samverkan.partnerships.models import GroupMember

    return GroupMember.objects.filter(group__partnership=partnership)


def _coordinators(request: HttpRequest, partnership: Any) -> models.QuerySet:
    from samverkan.partnerships.models import Coordinator

    return Coordinator.objects.filter(party__partnership=partnership).select_related("party")


def _all(model: str) -> Callable[[HttpRequest, Any], models.QuerySet]:
    def readable(request: HttpRequest, partnership: Any) -> models.QuerySet:
        from django.apps import apps

        return apps.get_model(model)._default_manager.filter(partnership=partnership)

    return readable


def _causes(request: HttpRequest, partnership: Any) -> models.QuerySet:
    return audience.causes_for(request.user, partnership)


def _measures(request: HttpRequest, partnership: Any) -> models.QuerySet:
    from samverkan.api.api import readable_causes

    to = audience.for_user(request.user, partnership)
    return (
        audience.measures_for(request.user, partnership)
        .select_related("progress")
        .prefetch_related(readable_causes(to, partnership))
    )


def _promise_prepare(request: HttpRequest, partnership: Any, rows: list[Any]) -> None:
    prepare_promises(request.user, partnership, rows)


def _evaluation_prepare(request: HttpRequest, partnership: Any, rows: list[Any]) -> None:
    from samverkan.followup import services

    for row in rows:  # the tests run once per object, as the list does
        row.result = services.evaluate(row)


def _measure_prepare(request: HttpRequest, partnership: Any, rows: list[Any]) -> None:
    from samverkan.api.schemas import prepare_measures

    prepare_measures(partnership, rows)


KINDS: dict[str, Kind] = {
    "problems": Kind(
        "problems.problem", "problems", _problem_form, _all("problems.Problem"), ProblemOut
    ),
    "causes": Kind("problems.cause", "causes", _cause_form, _causes, CauseOut),
    "goals": Kind("problems.goal", "goals", _goal_form, _all("problems.Goal"), GoalOut),
    "measures": Kind(
        "problems.measure", "measures", _measure_form, _measures, MeasureOut, _measure_prepare
    ),
    "decisions": Kind(
        "partnerships.decision",
        "decisions",
        _decision_form,
        _all("partnerships.Decision"),
        DecisionOut,
    ),
    "meetings": Kind(
        "partnerships.meeting", "meetings", _meeting_form, _all("partnerships.Meeting"), MeetingOut
    ),
    "citizen-promises": Kind(
        "problems.citizenpromise",
        "citizen-promises",
        _promise_form,
        _all("problems.CitizenPromise"),
        CitizenPromiseOut,
        _promise_prepare,
    ),
    "evaluations": Kind(
        "followup.effectevaluation",
        "evaluations",
        _evaluation_form,
        _all("followup.EffectEvaluation"),
        EvaluationOut,
        _evaluation_prepare,
    ),
    "glossary": Kind(
        "problems.glossaryterm",
        "glossary",
        _glossary_form,
        _all("problems.GlossaryTerm"),
        GlossaryTermOut,
    ),
    # Step 1: the parties and their coordinators, the groups with their members, the calendar.
    "parties": Kind("partnerships.party", "parties", _party_form, _parties, PartyOut),
    "groups": Kind(
        "partnerships.group", "groups", _group_form, _all("partnerships.Group"), GroupOut
    ),
    "group-members": Kind(
        "partnerships.groupmember", "group-members", _member_form, _members, GroupMemberOut
    ),
    "coordinators": Kind(
        "partnerships.coordinator",
        "coordinators",
        _coordinator_form,
        _coordinators,
        CoordinatorOut,
    ),
    "milestones": Kind(
        "partnerships.milestone",
        "milestones",
        _milestone_form,
        _all("partnerships.Milestone"),
        MilestoneOut,
    ),
}


def _form_class(kind: Kind) -> Any:
    from samverkan.followup.forms import EvaluationForm
    from samverkan.partnerships import forms as pforms
    from samverkan.problems import forms as f

    return {
        "problems": f.ProblemForm,
        "causes": f.CauseForm,
        "goals": f.GoalForm,
        "measures": f.MeasureForm,
        "decisions": pforms.DecisionForm,
        "meetings": pforms.MeetingForm,
        "citizen-promises": f.CitizenPromiseForm,
        "evaluations": EvaluationForm,
        "glossary": f.GlossaryTermForm,
        "parties": pforms.PartyForm,
        "groups": pforms.GroupForm,
        "group-members": pforms.GroupMemberForm,
        "coordinators": pforms.CoordinatorForm,
        "milestones": pforms.MilestoneForm,
    }[kind.collection]


def _schemas(collection: str, stem: str) -> tuple[type[Schema], type[Schema]]:
    form_class = _form_class(KINDS[collection])
    return (
        form_schema(f"{stem}In", form_class, update=False),
        form_schema(f"{stem}Update", form_class, update=True),
    )


if TYPE_CHECKING:
    ProblemIn: TypeAlias = Schema
    ProblemUpdate: TypeAlias = Schema
    CauseIn: TypeAlias = Schema
    CauseUpdate: TypeAlias = Schema
    GoalIn: TypeAlias = Schema
    GoalUpdate: TypeAlias = Schema
    MeasureIn: TypeAlias = Schema
    MeasureUpdate: TypeAlias = Schema
    DecisionIn: TypeAlias = Schema
    DecisionUpdate: TypeAlias = Schema
    MeetingIn: TypeAlias = Schema
    MeetingUpdate: TypeAlias = Schema
    CitizenPromiseIn: TypeAlias = Schema
    CitizenPromiseUpdate: TypeAlias = Schema
    EvaluationIn: TypeAlias = Schema
    EvaluationUpdate: TypeAlias = Schema
    GlossaryTermIn: TypeAlias = Schema
    GlossaryTermUpdate: TypeAlias = Schema
    PartyIn: TypeAlias = Schema
    PartyUpdate: TypeAlias = Schema
    GroupIn: TypeAlias = Schema
    GroupUpdate: TypeAlias = Schema
    GroupMemberIn: TypeAlias = Schema
    GroupMemberUpdate: TypeAlias = Schema
    CoordinatorIn: TypeAlias = Schema
    CoordinatorUpdate: TypeAlias = Schema
    MilestoneIn: TypeAlias = Schema
    MilestoneUpdate: TypeAlias = Schema
else:
    ProblemIn, ProblemUpdate = _schemas("problems", "Problem")
    CauseIn, CauseUpdate = _schemas("causes", "Cause")
    GoalIn, GoalUpdate = _schemas("goals", "Goal")
    MeasureIn, MeasureUpdate = _schemas("measures", "Measure")
    DecisionIn, DecisionUpdate = _schemas("decisions", "Decision")
    MeetingIn, MeetingUpdate = _schemas("meetings", "Meeting")
    CitizenPromiseIn, CitizenPromiseUpdate = _schemas("citizen-promises", "CitizenPromise")
    EvaluationIn, EvaluationUpdate = _schemas("evaluations", "Evaluation")
    GlossaryTermIn, GlossaryTermUpdate = _schemas("glossary", "GlossaryTerm")
    PartyIn, PartyUpdate = _schemas("parties", "Party")
    GroupIn, GroupUpdate = _schemas("groups", "Group")
    GroupMemberIn, GroupMemberUpdate = _schemas("group-members", "GroupMember")
    CoordinatorIn, CoordinatorUpdate = _schemas("coordinators", "Coordinator")
    MilestoneIn, MilestoneUpdate = _schemas("milestones", "Milestone")


# ---- the three operations, the same for every object --------------------------------------------

CONFLICT = "Someone else changed this since you read its version; read it again."


def is_valid(form: forms.BaseForm) -> bool:
    """The page form's own validation, its messages in English (the API's language; the
    pages keep theirs). Build the form under ``english()`` too: some forms word their
    messages when they are made."""
    with english():
        return form.is_valid()


def english() -> translation.override:
    return translation.override("en")


def invalid(form: forms.BaseForm) -> HttpError:
    """422 with the form's reasons, in English."""
    with english():
        return _form_errors(form)


def answer(request: HttpRequest, partnership: Any, kind: Kind, pk: int) -> Any:
    """The object as its answer shows it (read again, through the reader's own filter)."""
    obj = access.scoped(kind.readable(request, partnership), partnership, pk)
    kind.prepare(request, partnership, [obj])
    return obj


def read_one(request: HttpRequest, pk: int, collection: str, object_id: int) -> Any:
    kind = KINDS[collection]
    partnership = _partnership(request, pk)
    return answer(request, partnership, kind, object_id)


def create(request: HttpRequest, pk: int, collection: str, payload: Schema) -> Status:
    kind = KINDS[collection]
    partnership = _partnership(request, pk, "edit")
    return create_with(
        request,
        partnership,
        kind,
        payload,
        lambda data: kind.form(data, request, partnership, None),
    )


def create_with(
    request: HttpRequest,
    partnership: Any,
    kind: Kind,
    payload: Schema,
    make: Callable[[Any], forms.BaseForm],
) -> Status:
    """Save a new object through the form ``make(data)`` builds (one that needs more than the
    partnership: a group member's group, a coordinator's party)."""
    with english():
        form = make(form_data(make(None), payload))
    if not is_valid(form):
        raise invalid(form)
    saved = form.save_checked()  # type: ignore[attr-defined]
    if saved is None:  # pragma: no cover - a new object has no version to conflict with
        raise HttpError(409, CONFLICT)
    return Status(201, answer(request, partnership, kind, saved.pk))


def update(request: HttpRequest, pk: int, collection: str, object_id: int, payload: Schema) -> Any:
    kind = KINDS[collection]
    partnership = _partnership(request, pk, "edit")
    instance = access.scoped(kind.readable(request, partnership), partnership, object_id)
    return update_instance(request, partnership, kind, instance, payload)


def update_instance(
    request: HttpRequest, partnership: Any, kind: Kind, instance: Any, payload: Schema
) -> Any:
    """Change ``instance`` (found and gated by the caller) through its page's form."""
    with english():
        current = kind.form(None, request, partnership, instance)
        form = kind.form(form_data(current, payload, instance), request, partnership, instance)
    if not is_valid(form):
        if form.non_field_errors() and instance.version != payload.version:  # type: ignore[attr-defined]
            raise HttpError(409, CONFLICT)
        raise invalid(form)
    if form.save_checked() is None:  # type: ignore[attr-defined]
        raise HttpError(409, CONFLICT)
    return answer(request, partnership, kind, instance.pk)


def delete(
    request: HttpRequest, pk: int, collection: str, object_id: int, version: int | None
) -> Status:
    kind = KINDS[collection]
    partnership = _partnership(request, pk, "edit")
    instance = access.scoped(kind.readable(request, partnership), partnership, object_id)
    if version is not None and version != instance.version:
        raise HttpError(409, CONFLICT)
    instance.delete()
    return Status(204, None)


WRITE_ERRORS = {409: Error, **ERRORS}
VERSION_TO_DELETE = Query(
    None, description="The version you read: 409 if someone changed the object since."
)

# ---- problems -----------------------------------------------------------------------------------


@router.get("/partnerships/{pk}/problems/{problem_id}", response={200: ProblemOut, **ERRORS})
def problem_detail(request: HttpRequest, pk: int, problem_id: int) -> Any:
    return read_one(request, pk, "problems", problem_id)


@core.post(
    "/partnerships/{pk}/problems",
    tags=["writes"],
    response={201: ProblemOut, **ERRORS},
    summary="Add a problem (as the page's form)",
)
def problem_create(request: HttpRequest, pk: int, payload: ProblemIn) -> Status:
    return create(request, pk, "problems", payload)


@router.patch(
    "/partnerships/{pk}/problems/{problem_id}",
    response={200: ProblemOut, **WRITE_ERRORS},
    summary="Change a problem: the fields sent, with the version read",
)
def problem_update(request: HttpRequest, pk: int, problem_id: int, payload: ProblemUpdate) -> Any:
    return update(request, pk, "problems", problem_id, payload)


# ---- causes -------------------------------------------------------------------------------------


@router.get("/partnerships/{pk}/causes/{cause_id}", response={200: CauseOut, **ERRORS})
def cause_detail(request: HttpRequest, pk: int, cause_id: int) -> Any:
    return read_one(request, pk, "causes", cause_id)


@core.post(
    "/partnerships/{pk}/causes",
    tags=["writes"],
    response={201: CauseOut, **ERRORS},
    summary="Add a cause (numbered in the partnership, as on the page)",
)
def cause_create(request: HttpRequest, pk: int, payload: CauseIn) -> Status:
    return create(request, pk, "causes", payload)


@router.patch(
    "/partnerships/{pk}/causes/{cause_id}",
    response={200: CauseOut, **WRITE_ERRORS},
    summary="Change a cause: the fields sent, with the version read",
)
def cause_update(request: HttpRequest, pk: int, cause_id: int, payload: CauseUpdate) -> Any:
    return update(request, pk, "causes", cause_id, payload)


# ---- goals --------------------------------------------------------------------------------------


@router.get("/partnerships/{pk}/goals/{goal_id}", response={200: GoalOut, **ERRORS})
def goal_detail(request: HttpRequest, pk: int, goal_id: int) -> Any:
    return read_one(request, pk, "goals", goal_id)


@core.post(
    "/partnerships/{pk}/goals",
    tags=["writes"],
    response={201: GoalOut, **ERRORS},
    summary="Add a goal with its indicator, baseline and target",
)
def goal_create(request: HttpRequest, pk: int, payload: GoalIn) -> Status:
    return create(request, pk, "goals", payload)


@router.patch(
    "/partnerships/{pk}/goals/{goal_id}",
    response={200: GoalOut, **WRITE_ERRORS},
    summary="Change a goal: the fields sent, with the version read",
)
def goal_update(request: HttpRequest, pk: int, goal_id: int, payload: GoalUpdate) -> Any:
    return update(request, pk, "goals", goal_id, payload)


# ---- measures -----------------------------------------------------------------------------------


@router.get("/partnerships/{pk}/measures/{measure_id}", response={200: MeasureOut, **ERRORS})
def measure_detail(request: HttpRequest, pk: int, measure_id: int) -> Any:
    return read_one(request, pk, "measures", measure_id)


@core.post(
    "/partnerships/{pk}/measures",
    tags=["writes"],
    response={201: MeasureOut, **ERRORS},
    summary="Add a measure (its status is set with PUT …/progress)",
)
def measure_create(request: HttpRequest, pk: int, payload: MeasureIn) -> Status:
    return create(request, pk, "measures", payload)


@router.patch(
    "/partnerships/{pk}/measures/{measure_id}",
    response={200: MeasureOut, **WRITE_ERRORS},
    summary="Change a measure's plan: the fields sent, with `version` (not `status_version`)",
)
def measure_update(request: HttpRequest, pk: int, measure_id: int, payload: MeasureUpdate) -> Any:
    return update(request, pk, "measures", measure_id, payload)


# ---- decisions ----------------------------------------------------------------------------------


@router.get("/partnerships/{pk}/decisions/{decision_id}", response={200: DecisionOut, **ERRORS})
def decision_detail(request: HttpRequest, pk: int, decision_id: int) -> Any:
    return read_one(request, pk, "decisions", decision_id)


@core.post(
    "/partnerships/{pk}/decisions",
    tags=["writes"],
    response={201: DecisionOut, **ERRORS},
    summary="Record a decision, with its diarienummer (`reference`)",
)
def decision_create(request: HttpRequest, pk: int, payload: DecisionIn) -> Status:
    return create(request, pk, "decisions", payload)


@router.patch(
    "/partnerships/{pk}/decisions/{decision_id}",
    response={200: DecisionOut, **WRITE_ERRORS},
    summary="Change a decision: the fields sent, with the version read",
)
def decision_update(
    request: HttpRequest, pk: int, decision_id: int, payload: DecisionUpdate
) -> Any:
    return update(request, pk, "decisions", decision_id, payload)


# ---- meetings -----------------------------------------------------------------------------------


@router.get("/partnerships/{pk}/meetings/{meeting_id}", response={200: MeetingOut, **ERRORS})
def meeting_detail(request: HttpRequest, pk: int, meeting_id: int) -> Any:
    return read_one(request, pk, "meetings", meeting_id)


@core.post(
    "/partnerships/{pk}/meetings",
    tags=["writes"],
    response={201: MeetingOut, **ERRORS},
    summary="Add a meeting of a group",
)
def meeting_create(request: HttpRequest, pk: int, payload: MeetingIn) -> Status:
    return create(request, pk, "meetings", payload)


@router.patch(
    "/partnerships/{pk}/meetings/{meeting_id}",
    response={200: MeetingOut, **WRITE_ERRORS},
    summary="Change a meeting: the fields sent, with the version read",
)
def meeting_update(request: HttpRequest, pk: int, meeting_id: int, payload: MeetingUpdate) -> Any:
    return update(request, pk, "meetings", meeting_id, payload)


# ---- citizen promises ---------------------------------------------------------------------------


@router.get(
    "/partnerships/{pk}/citizen-promises",
    response={200: list[CitizenPromiseOut], **ERRORS},
    tags=["work"],
)
def citizen_promises(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    p = _partnership(request, pk)
    rows = p.citizen_promises.prefetch_related("parties", "measures").order_by("starts_on", "pk")
    return prepare_promises(request.user, p, _list(request, response, rows, p, page, when))


@router.get(
    "/partnerships/{pk}/citizen-promises/{promise_id}", response={200: CitizenPromiseOut, **ERRORS}
)
def promise_detail(request: HttpRequest, pk: int, promise_id: int) -> Any:
    return read_one(request, pk, "citizen-promises", promise_id)


@router.post(
    "/partnerships/{pk}/citizen-promises",
    response={201: CitizenPromiseOut, **ERRORS},
    summary="Add a citizen promise (medborgarlöfte)",
)
def promise_create(request: HttpRequest, pk: int, payload: CitizenPromiseIn) -> Status:
    return create(request, pk, "citizen-promises", payload)


@router.patch(
    "/partnerships/{pk}/citizen-promises/{promise_id}",
    response={200: CitizenPromiseOut, **WRITE_ERRORS},
    summary="Change a citizen promise: the fields sent, with the version read",
)
def promise_update(
    request: HttpRequest, pk: int, promise_id: int, payload: CitizenPromiseUpdate
) -> Any:
    return update(request, pk, "citizen-promises", promise_id, payload)


@router.delete(
    "/partnerships/{pk}/citizen-promises/{promise_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Remove a citizen promise (as the page does); listed under /deleted",
)
def promise_delete(
    request: HttpRequest, pk: int, promise_id: int, version: int | None = VERSION_TO_DELETE
) -> Status:
    return delete(request, pk, "citizen-promises", promise_id, version)


# ---- step 5: effect evaluations ----------------------------------------------------------------


@router.get(
    "/partnerships/{pk}/evaluations/{evaluation_id}", response={200: EvaluationOut, **ERRORS}
)
def evaluation_detail(request: HttpRequest, pk: int, evaluation_id: int) -> Any:
    return read_one(request, pk, "evaluations", evaluation_id)


@core.post(
    "/partnerships/{pk}/evaluations",
    tags=["writes"],
    response={201: EvaluationOut, **ERRORS},
    summary="Add an effect evaluation of an effect goal or sub-goal: the counts before and "
    "after (treated area, and optionally control and buffer areas, survey shares), as the "
    "step 5 page does; the answer has the tests run on them",
)
def evaluation_create(request: HttpRequest, pk: int, payload: EvaluationIn) -> Status:
    return create(request, pk, "evaluations", payload)


@router.patch(
    "/partnerships/{pk}/evaluations/{evaluation_id}",
    response={200: EvaluationOut, **WRITE_ERRORS},
    summary="Change an effect evaluation: the fields sent, with the version read",
)
def evaluation_update(
    request: HttpRequest, pk: int, evaluation_id: int, payload: EvaluationUpdate
) -> Any:
    return update(request, pk, "evaluations", evaluation_id, payload)


# ---- step 5: the steering group's response -----------------------------------------------------


def _steering_response_schema() -> type[Schema]:
    from samverkan.followup.forms import SteeringResponseForm

    return form_schema("SteeringResponseIn", SteeringResponseForm, update=False)


if TYPE_CHECKING:
    SteeringResponseIn: TypeAlias = Schema
else:
    SteeringResponseIn = _steering_response_schema()


def _steering_responses(partnership: Any) -> models.QuerySet:
    return partnership.steering_responses.select_related("cycle")


@router.get(
    "/partnerships/{pk}/steering-responses",
    response={200: list[SteeringResponseOut], **ERRORS},
    summary="The steering group's responses to the follow-up, oldest first",
)
def steering_responses(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    p = _partnership(request, pk)
    rows = _steering_responses(p).order_by("date", "pk")
    return _list(request, response, rows, p, page, when)


@router.get(
    "/partnerships/{pk}/steering-responses/{response_id}",
    response={200: SteeringResponseOut, **ERRORS},
)
def steering_response_detail(request: HttpRequest, pk: int, response_id: int) -> Any:
    p = _partnership(request, pk)
    return access.scoped(_steering_responses(p), p, response_id)


@router.post(
    "/partnerships/{pk}/steering-responses",
    response={201: SteeringResponseOut, **ERRORS},
    summary="Record the steering group's response to the follow-up in the current cycle, as "
    "its page does (the steering group and administrators only; a recorded response is not "
    "changed, on the page or here)",
)
def steering_response_create(request: HttpRequest, pk: int, payload: SteeringResponseIn) -> Status:
    from samverkan.followup import services
    from samverkan.followup.forms import SteeringResponseForm

    p = _partnership(request, pk, "approve")
    with english():
        form = SteeringResponseForm(form_data(SteeringResponseForm(None), payload))
    if not is_valid(form):
        raise invalid(form)
    saved = services.record_steering_response(form, p)
    return Status(201, _steering_responses(p).get(pk=saved.pk))


# ---- step 5: the 5I write-up ---------------------------------------------------------------------


class WriteUpPartIn(Schema):
    text: str = Field(
        description="The part's text (blank line between paragraphs; lines starting with "
        "“- ” are a list). Every member and the public edition read it: nothing confidential."
    )
    version: int = Field(
        description="The `version` you read (0 while the part is not stored); 409 only if "
        "someone else changed or stored it since."
    )


def _write_up_part(request: HttpRequest, partnership: Any, part: str) -> Any:
    from samverkan.followup import write_up

    states = write_up.sections(partnership, user=request.user)
    return next(state for state in states if state.part == part)


@router.get(
    "/partnerships/{pk}/write-up",
    response={200: list[WriteUpPartOut], **ERRORS},
    tags=["work"],
    summary="The five parts of the 5I write-up in order, as you may read them (a part that "
    "quotes something you may not read is left out, `visible` false)",
)
def write_up_parts(request: HttpRequest, pk: int) -> list[Any]:
    from samverkan.followup import write_up

    return write_up.sections(_partnership(request, pk), user=request.user)


@router.put(
    "/partnerships/{pk}/write-up/{part}",
    response={200: WriteUpPartOut, **WRITE_ERRORS},
    tags=["work"],
    summary="Change one part of the 5I write-up as its page does (it is stored, as edited by "
    "hand); a text that quotes a confidential cause or measure is refused",
)
def write_up_update(
    request: HttpRequest, pk: int, part: WriteUpPart, payload: WriteUpPartIn
) -> Any:
    from samverkan.followup import write_up
    from samverkan.followup.forms import WriteUpSectionForm

    p = _partnership(request, pk, "edit")
    record = write_up.section_to_edit(p, part.value)
    if record.pk is None and payload.version != 0:
        raise HttpError(409, CONFLICT)  # it was stored when read: removed since
    version = record.version if record.pk is None else payload.version
    with english():
        form = WriteUpSectionForm({"text": payload.text, "version": version}, instance=record,
                                  partnership=p, user=request.user)  # fmt: skip
    if not is_valid(form):
        raise invalid(form)
    if write_up.save_edited(form) is None:
        raise HttpError(409, CONFLICT)
    return _write_up_part(request, p, part.value)


# ---- the glossary (step 3) ----------------------------------------------------------------------


@router.get(
    "/partnerships/{pk}/glossary",
    response={200: list[GlossaryTermOut], **ERRORS},
    summary="The terms the parties have agreed on, by term",
)
def glossary(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    p = _partnership(request, pk)
    return _list(request, response, p.glossary.order_by("term", "pk"), p, page, when)


@router.get("/partnerships/{pk}/glossary/{term_id}", response={200: GlossaryTermOut, **ERRORS})
def glossary_detail(request: HttpRequest, pk: int, term_id: int) -> Any:
    return read_one(request, pk, "glossary", term_id)


@router.post(
    "/partnerships/{pk}/glossary",
    response={201: GlossaryTermOut, **ERRORS},
    summary="Add a term to the glossary (a term already there, in any case, is refused)",
)
def glossary_create(request: HttpRequest, pk: int, payload: GlossaryTermIn) -> Status:
    return create(request, pk, "glossary", payload)


@router.patch(
    "/partnerships/{pk}/glossary/{term_id}",
    response={200: GlossaryTermOut, **WRITE_ERRORS},
    summary="Change a term: the fields sent, with the version read",
)
def glossary_update(
    request: HttpRequest, pk: int, term_id: int, payload: GlossaryTermUpdate
) -> Any:
    return update(request, pk, "glossary", term_id, payload)


# ---- the harm weights of the prioritisation (step 3) --------------------------------------------


def _harm_weights_schema() -> type[Schema]:
    from samverkan.problems.forms import HarmWeightsForm

    return form_schema("HarmWeightsIn", HarmWeightsForm, update=True)


if TYPE_CHECKING:
    HarmWeightsIn: TypeAlias = Schema
else:
    HarmWeightsIn = _harm_weights_schema()


@router.get(
    "/partnerships/{pk}/harm-weights",
    response={200: HarmWeightsOut, **ERRORS},
    tags=["work"],
    summary="The harm weight of each crime category, with their source (the defaults, at "
    "version 0, until the partnership saves its own)",
)
def harm_weights(request: HttpRequest, pk: int) -> Any:
    from samverkan.problems.models import HarmWeights

    p = _partnership(request, pk)
    return HarmWeights.objects.filter(partnership=p).first() or HarmWeights(
        partnership=p, version=0
    )


@router.put(
    "/partnerships/{pk}/harm-weights",
    response={200: HarmWeightsOut, **WRITE_ERRORS},
    tags=["work"],
    summary="Change the harm weights as their page does: the fields sent, with the version "
    "read (0 while none are saved)",
)
def harm_weights_update(request: HttpRequest, pk: int, payload: HarmWeightsIn) -> Any:
    from django.db import transaction

    from samverkan.problems.forms import HarmWeightsForm
    from samverkan.problems.models import HarmWeights

    p = _partnership(request, pk, "edit")
    with transaction.atomic():
        weights, created = HarmWeights.objects.get_or_create(partnership=p)
        data = form_data(HarmWeightsForm(None, instance=weights), payload, weights)
        if created and payload.version == 0:  # type: ignore[attr-defined]
            data["version"] = weights.version  # the defaults read before any were saved
        with english():
            form = HarmWeightsForm(data, instance=weights)
        if not is_valid(form):
            raise invalid(form)
        saved = form.save_checked()
        if saved is None:
            raise HttpError(409, CONFLICT)
    return HarmWeights.objects.get(pk=saved.pk)


# ---- decisions on the lägesbild and the åtgärdsplan ---------------------------------------------


def _document_decision_schema() -> type[Schema]:
    from samverkan.documents.forms import DocumentDecisionForm

    return form_schema(
        "DocumentDecisionIn", DocumentDecisionForm, update=False, version_optional=True
    )


if TYPE_CHECKING:
    DocumentDecisionIn: TypeAlias = Schema
else:
    DocumentDecisionIn = _document_decision_schema()


@router.put(
    "/partnerships/{pk}/document-decisions/{kind}",
    response={200: DocumentDecisionOut, 201: DocumentDecisionOut, **WRITE_ERRORS},
    tags=["work"],
    summary="Record (201) or change (200) the decision on the lägesbild or the åtgärdsplan, "
    "with its diarienummer (`reference`) and the issued version it approved (`approved_id`), "
    "as the documents page does; send the `version` read when it exists",
)
def document_decision_put(
    request: HttpRequest,
    pk: int,
    kind: Literal["lagesbild", "atgardsplan"],
    payload: DocumentDecisionIn,
) -> Status:
    from samverkan.documents.forms import DocumentDecisionForm
    from samverkan.documents.models import DocumentDecision

    partnership = _partnership(request, pk, "edit")
    record = DocumentDecision.objects.filter(partnership=partnership, kind=kind).first()
    exists = record is not None
    if record is None:
        record = DocumentDecision(partnership=partnership, kind=kind)
    elif payload.version is None:  # type: ignore[attr-defined]
        raise HttpError(409, "The decision exists: send the version you read.")
    current = DocumentDecisionForm(None, instance=record)
    data = form_data(current, payload, record if exists else None)
    form = DocumentDecisionForm(data, instance=record)
    _check(form)
    saved = form.save_checked()
    if saved is None:
        raise HttpError(409, CONFLICT)
    answer = DocumentDecision.objects.select_related("approved").get(pk=saved.pk)
    return Status(200 if exists else 201, answer)


# ---- step 1: groups and their members ---------------------------------------------------------


@router.get("/partnerships/{pk}/groups/{group_id}", response={200: GroupOut, **ERRORS})
def group_detail(request: HttpRequest, pk: int, group_id: int) -> Any:
    return read_one(request, pk, "groups", group_id)


@core.post(
    "/partnerships/{pk}/groups",
    tags=["writes"],
    response={201: GroupOut, **ERRORS},
    summary="Add a group: the steering group (one per partnership), a preparation group or a "
    "working group, with its mandate",
)
def group_create(request: HttpRequest, pk: int, payload: GroupIn) -> Status:
    return create(request, pk, "groups", payload)


@router.patch(
    "/partnerships/{pk}/groups/{group_id}",
    response={200: GroupOut, **WRITE_ERRORS},
    summary="Change a group: the fields sent, with the version read",
)
def group_update(request: HttpRequest, pk: int, group_id: int, payload: GroupUpdate) -> Any:
    return update(request, pk, "groups", group_id, payload)


def _group(partnership: Any, group_id: int) -> Any:
    from samverkan.partnerships.models import Group

    return access.scoped(Group.objects.all(), partnership, group_id)


def _member(request: HttpRequest, partnership: Any, group_id: int, member_id: int) -> Any:
    """A member of one of the partnership's groups, or 404 (as the page's)."""
    group = _group(partnership, group_id)
    member = _members(request, partnership).filter(group=group, pk=member_id).first()
    if member is None:
        raise HttpError(404, "Not Found")
    return member


@router.get(
    "/partnerships/{pk}/groups/{group_id}/members",
    response={200: list[GroupMemberOut], **ERRORS},
    summary="The members of a group, the chair first",
)
def group_members(
    request: HttpRequest,
    response: HttpResponse,
    pk: int,
    group_id: int,
    page: Query[Page],
    when: Query[Since],
) -> list[Any]:
    p = _partnership(request, pk)
    rows = _group(p, group_id).members.order_by("-is_chair", "name", "pk")
    return _list(request, response, rows, p, page, when)


@router.get(
    "/partnerships/{pk}/groups/{group_id}/members/{member_id}",
    response={200: GroupMemberOut, **ERRORS},
)
def group_member_detail(request: HttpRequest, pk: int, group_id: int, member_id: int) -> Any:
    return _member(request, _partnership(request, pk), group_id, member_id)


@router.post(
    "/partnerships/{pk}/groups/{group_id}/members",
    response={201: GroupMemberOut, **ERRORS},
    summary="Add a member to a group, representing one of the partnership's parties",
)
def group_member_create(
    request: HttpRequest, pk: int, group_id: int, payload: GroupMemberIn
) -> Status:
    from samverkan.partnerships.forms import GroupMemberForm

    p = _partnership(request, pk, "edit")
    group = _group(p, group_id)
    kind = KINDS["group-members"]
    return create_with(request, p, kind, payload, lambda data: GroupMemberForm(data, group=group))


@router.patch(
    "/partnerships/{pk}/groups/{group_id}/members/{member_id}",
    response={200: GroupMemberOut, **WRITE_ERRORS},
    summary="Change a group member (title, party, chair): the fields sent, with the version read",
)
def group_member_update(
    request: HttpRequest, pk: int, group_id: int, member_id: int, payload: GroupMemberUpdate
) -> Any:
    p = _partnership(request, pk, "edit")
    member = _member(request, p, group_id, member_id)
    return update_instance(request, p, KINDS["group-members"], member, payload)


# ---- step 1: the parties and each party's coordinator --------------------------------------------


def _party_to_lead(request: HttpRequest, pk: int, party_id: int) -> tuple[Any, Any]:
    """The partnership and a party the user may change, as the page gates it: the party's own
    administrators and coordinators (403, in English, for another party's)."""
    from samverkan.partnerships.views import _party_to_edit

    p = _partnership(request, pk, "lead")
    with english():
        return p, _party_to_edit(request, p, party_id)


@router.get("/partnerships/{pk}/parties/{party_id}", response={200: PartyOut, **ERRORS})
def party_detail(request: HttpRequest, pk: int, party_id: int) -> Any:
    return read_one(request, pk, "parties", party_id)


@core.post(
    "/partnerships/{pk}/parties",
    tags=["writes"],
    response={201: PartyOut, **ERRORS},
    summary="Add a party (an organisation already registered with another kind is refused)",
)
def party_create(request: HttpRequest, pk: int, payload: PartyIn) -> Status:
    return create(request, pk, "parties", payload)


@router.patch(
    "/partnerships/{pk}/parties/{party_id}",
    response={200: PartyOut, **WRITE_ERRORS},
    summary="Change a party as its page does (its own administrators and coordinators only; "
    "its organisation stays): the fields sent, with the version read",
)
def party_update(request: HttpRequest, pk: int, party_id: int, payload: PartyUpdate) -> Any:
    p, party = _party_to_lead(request, pk, party_id)
    return update_instance(request, p, KINDS["parties"], party, payload)


@router.get(
    "/partnerships/{pk}/coordinators",
    response={200: list[CoordinatorOut], **ERRORS},
    summary="The parties' coordinators (one per party at most), by party",
)
def coordinators(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    p = _partnership(request, pk)
    rows = _coordinators(request, p).order_by("party_id", "pk")
    return _list(request, response, rows, p, page, when)


@router.get(
    "/partnerships/{pk}/parties/{party_id}/coordinator",
    response={200: CoordinatorOut, **ERRORS},
    summary="A party's coordinator (404 while it has none)",
)
def coordinator_detail(request: HttpRequest, pk: int, party_id: int) -> Any:
    p = _partnership(request, pk)
    found = _coordinators(request, p).filter(party_id=party_id).first()
    if found is None:
        raise HttpError(404, "Not Found")
    return found


@router.post(
    "/partnerships/{pk}/parties/{party_id}/coordinator",
    response={201: CoordinatorOut, **WRITE_ERRORS},
    summary="Name a party's coordinator, as the party's page does (its own administrators and "
    "coordinators only); 409 if it has one: change that one with PATCH",
)
def coordinator_create(
    request: HttpRequest, pk: int, party_id: int, payload: CoordinatorIn
) -> Status:
    from samverkan.partnerships.forms import CoordinatorForm
    from samverkan.partnerships.models import Coordinator

    p, party = _party_to_lead(request, pk, party_id)
    if party.coordinator_or_none() is not None:
        raise HttpError(409, "The party has a coordinator: change it with PATCH.")
    new = Coordinator(party=party)
    kind = KINDS["coordinators"]
    return create_with(request, p, kind, payload, lambda data: CoordinatorForm(data, instance=new))


@router.patch(
    "/partnerships/{pk}/parties/{party_id}/coordinator",
    response={200: CoordinatorOut, **WRITE_ERRORS},
    summary="Change a party's coordinator: the fields sent, with the version read",
)
def coordinator_update(
    request: HttpRequest, pk: int, party_id: int, payload: CoordinatorUpdate
) -> Any:
    p, party = _party_to_lead(request, pk, party_id)
    coordinator = party.coordinator_or_none()
    if coordinator is None:
        raise HttpError(404, "The party has no coordinator: name one with POST.")
    return update_instance(request, p, KINDS["coordinators"], coordinator, payload)


# ---- step 1: the planning calendar -------------------------------------------------------------


@router.get(
    "/partnerships/{pk}/milestones",
    response={200: list[MilestoneOut], **ERRORS},
    summary="The dates of the planning calendar, by date",
)
def milestones(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    p = _partnership(request, pk)
    return _list(request, response, p.milestones.order_by("date", "pk"), p, page, when)


@router.get("/partnerships/{pk}/milestones/{milestone_id}", response={200: MilestoneOut, **ERRORS})
def milestone_detail(request: HttpRequest, pk: int, milestone_id: int) -> Any:
    return read_one(request, pk, "milestones", milestone_id)


@router.post(
    "/partnerships/{pk}/milestones",
    response={201: MilestoneOut, **ERRORS},
    summary="Add a date to the planning calendar",
)
def milestone_create(request: HttpRequest, pk: int, payload: MilestoneIn) -> Status:
    return create(request, pk, "milestones", payload)


@router.patch(
    "/partnerships/{pk}/milestones/{milestone_id}",
    response={200: MilestoneOut, **WRITE_ERRORS},
    summary="Change a date of the planning calendar (or mark it done): the fields sent, with "
    "the version read",
)
def milestone_update(
    request: HttpRequest, pk: int, milestone_id: int, payload: MilestoneUpdate
) -> Any:
    return update(request, pk, "milestones", milestone_id, payload)


# ---- deletions, for a client that syncs ---------------------------------------------------------

# The collections whose deletions are listed: every list that takes changed_since.
DELETED_COLLECTIONS: dict[str, str] = {
    "parties": "partnerships.party",
    "groups": "partnerships.group",
    "group-members": "partnerships.groupmember",
    "coordinators": "partnerships.coordinator",
    "milestones": "partnerships.milestone",
    "decisions": "partnerships.decision",
    "meetings": "partnerships.meeting",
    "problems": "problems.problem",
    "causes": "problems.cause",
    "goals": "problems.goal",
    "measures": "problems.measure",
    "citizen-promises": "problems.citizenpromise",
    "activities": "implementation.activityentry",
    "evaluations": "followup.effectevaluation",
    "glossary": "problems.glossaryterm",
    "documents": "documents.issueddocument",
    "document-decisions": "documents.documentdecision",
    "field-categories": "fieldwork.fieldcategory",
    "field-places": "fieldwork.fieldplace",
    "field-reports": "fieldwork.fieldreport",
}
_COLLECTION_OF = {label: name for name, label in DELETED_COLLECTIONS.items()}

if TYPE_CHECKING:
    Collection = enum.Enum
else:
    Collection = str_enum("Collection", DELETED_COLLECTIONS)


class DeletedOut(Schema):
    collection: Collection
    id: int
    deleted_at: datetime.datetime


class DeletedQuery(Schema):
    changed_since: Moment | None = Field(
        None, description="Only deletions at or after this moment (ISO 8601, with a time zone)."
    )
    collection: Collection | None = Field(None, description="Only this collection's deletions.")


@router.get(
    "/partnerships/{pk}/deleted",
    response={200: list[DeletedOut], **ERRORS},
    tags=["sync"],
    summary="What was deleted (by a page or the API), oldest first: remove these ids from "
    "your copy. Read with the same `changed_since` as the lists.",
)
def deleted(
    request: HttpRequest,
    response: HttpResponse,
    pk: int,
    page: Query[Page],
    query: Query[DeletedQuery],
) -> list[dict]:
    from samverkan.accounts.choices import AuditAction

    partnership = _partnership(request, pk)
    labels = (
        [DELETED_COLLECTIONS[query.collection.value]]
        if query.collection is not None
        else list(DELETED_COLLECTIONS.values())
    )
    # The history the reader may list (a party's private material stays with the party); a
    # deleted confidential item is named only to the parties that could read it. Filtered,
    # counted and cut in the database: a page costs the same however many deletions there are.
    entries = (
        access.history_for(request.user, partnership)
        .filter(action=AuditAction.DELETE, model_label__in=labels, object_id__regex=r"^[0-9]+$")
        .filter(readable_by(access.party_ids(request.user, partnership)))
    )
    if query.changed_since is not None:
        entries = entries.filter(at__gte=query.changed_since)
    rows = entries.order_by("at", "pk").values_list("model_label", "object_id", "at")
    return [
        {"collection": _COLLECTION_OF[label], "id": int(object_id), "deleted_at": at}
        for label, object_id, at in paged(request, response, rows, page)
    ]


def readable_by(own: frozenset[int]) -> models.Q:
    """History entries whose restriction lets a reader of the parties ``own`` read them
    (``access.may_read``, as a filter): no restriction, or one naming one of those parties."""
    from django.db import connection
    from django.db.models.expressions import RawSQL

    unrestricted = models.Q(restricted_to=[]) | models.Q(restricted_to__isnull=True)
    if not own:
        return unrestricted
    parties = sorted(own)
    if connection.vendor == "sqlite":  # no JSON containment there: look in the array
        marks = ", ".join(["%s"] * len(parties))
        named = RawSQL(
            "EXISTS (SELECT 1 FROM json_each(accounts_auditentry.restricted_to) "
            f"WHERE json_each.value IN ({marks}))",
            parties,
            output_field=models.BooleanField(),
        )
        return unrestricted | models.Q(named)
    for party in parties:
        unrestricted |= models.Q(restricted_to__contains=[party])
    return unrestricted
