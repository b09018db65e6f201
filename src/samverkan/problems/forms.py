"""Forms for step 3. Messages are Swedish and say what would be right."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from samverkan.analysis.harm import HARM_WEIGHTS
from samverkan.lib.forms import DateInput, Form, PartnershipOwnedForm, VersionedModelForm
from samverkan.lib.numbers import number
from samverkan.partnerships.models import Partnership
from samverkan.problems.choices import GoalKind, ProblemStatus
from samverkan.problems.models import (
    HARM_FIELDS,
    HARM_WEIGHT_MAX,
    Cause,
    CitizenPromise,
    GlossaryTerm,
    Goal,
    HarmWeights,
    Measure,
    PrioritisationWeights,
    Problem,
    ProblemPicture,
    next_number,
    promise_may_rest_on,
)


class ProblemPictureForm(VersionedModelForm):
    class Meta:
        model = ProblemPicture
        fields = ["text", "conditions"]
        widgets = {"text": forms.Textarea(attrs={"rows": 16})}


class GlossaryTermForm(PartnershipOwnedForm):
    class Meta:
        model = GlossaryTerm
        fields = ["term", "definition"]

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, partnership=partnership, **kwargs)

    def clean_term(self) -> str:
        term = self.cleaned_data["term"].strip()
        clash = self.partnership.glossary.filter(term__iexact=term).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Begreppet finns redan i begreppslistan."))
        return term


class ProblemForm(PartnershipOwnedForm):
    class Meta:
        model = Problem
        exclude = ["partnership", "status", "version"]

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, partnership=partnership, **kwargs)
        for name in (
            "chain_before",
            "chain_during",
            "chain_after",
            "pat_offender",
            "pat_handler",
            "pat_target",
            "pat_guardian",
            "pat_place",
            "pat_manager",
        ):
            self.fields[name].widget.attrs["rows"] = 2
        for name, scale in SCORE_SCALES.items():
            self.fields[name].help_text = scale

    # About twenty fields in four groups, so the analysis frame is visible from the start.
    fieldsets = (
        (_("Problemet"), "", ("title", "description", "crime_type")),
        (
            _("Underlag för prioriteringen"),
            _("Bedöm varje del från 0 till 5. Skriv siffrorna bakom bedömningen under Underlag."),
            (
                "frequency",
                "trend",
                "deviation",
                "concentration",
                "cost",
                "harm",
                "concern",
                "evidence_note",
            ),
        ),
        (
            _("Händelsekedjan"),
            _("Vad händer före, under och efter ett typiskt brott?"),
            ("chain_before", "chain_during", "chain_after"),
        ),
        (
            _("Problemanalystriangeln"),
            _("Gärningsperson, mål och plats – och vem som kan påverka var och en av dem."),
            (
                "pat_offender",
                "pat_handler",
                "pat_target",
                "pat_guardian",
                "pat_place",
                "pat_manager",
            ),
        ),
    )

    def groups(self) -> list[tuple[Any, Any, list[Any]]]:
        """The form's fields in their groups (hidden fields go with the first group)."""
        hidden = [self[name] for name in self.fields if self[name].is_hidden]
        listed = {name for _legend, _help, names in self.fieldsets for name in names}
        # A field added to the model later is shown in the last group rather than lost.
        extra = [
            self[name] for name in self.fields if name not in listed and not self[name].is_hidden
        ]
        out = []
        last = len(self.fieldsets) - 1
        for index, (legend, help_text, names) in enumerate(self.fieldsets):
            fields = [self[name] for name in names if name in self.fields]
            fields = (hidden if index == 0 else []) + fields + (extra if index == last else [])
            out.append((legend, help_text, fields))
        return out


# What the ends of each 0–5 score mean, so that two parties score alike.
SCORE_SCALES = {
    "frequency": _("0 = förekommer knappt, 5 = bland det vanligaste i området."),
    "trend": _("0 = minskar tydligt, 3 = ungefär oförändrat, 5 = ökar kraftigt."),
    "deviation": _("0 = lägre än i jämförbara kommuner, 5 = mycket högre."),
    "concentration": _("0 = spritt över platser och tider, 5 = samlat till några få."),
    "cost": _("0 = små kostnader för samhället, 5 = mycket stora kostnader."),
    "harm": _("0 = liten skada för de drabbade, 5 = allvarlig skada, t.ex. våld."),
    "concern": _("0 = väcker ingen oro, 5 = det som oroar invånarna mest."),
}


class WeightsForm(VersionedModelForm):
    class Meta:
        model = PrioritisationWeights
        exclude = ["partnership", "version"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name, value in data.items():
            if name != "version" and value is not None and not 0 <= value <= 10:
                self.add_error(name, _("Vikten ska vara mellan 0 och 10."))
        return data


# A source note (a reference, a sentence or two), not a document.
HARM_SOURCE_MAX = 2000


class HarmWeightsForm(VersionedModelForm):
    """The partnership's harm weights per crime category, with where they come from."""

    class Meta:
        model = HarmWeights
        fields = [*HARM_FIELDS, "source"]
        widgets = {"source": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, category in HARM_FIELDS.items():
            field = self.fields[name]
            field.help_text = _("Standardvikt: %(weight)s.") % {"weight": HARM_WEIGHTS[category]}
            field.error_messages.update(
                {
                    "required": _("Ange en vikt för %(category)s (0 om kategorin inte ska räknas).")
                    % {"category": category},
                    "invalid": _("Vikten ska vara ett heltal, till exempel 3."),
                    "min_value": _("Vikten kan inte vara negativ."),
                    "max_value": _("Vikten kan vara högst %(max)s.")
                    % {"max": number(HARM_WEIGHT_MAX)},
                }
            )
        source = self.fields["source"]
        source.error_messages["required"] = _(
            "Ange var vikterna kommer ifrån, så att den som läser prioriteringen kan pröva dem."
        )
        source.max_length = HARM_SOURCE_MAX
        source.widget.attrs["maxlength"] = str(HARM_SOURCE_MAX)
        source.validators.append(
            MaxLengthValidator(
                HARM_SOURCE_MAX,
                message=_("Källan får vara högst %(max)s tecken.")
                % {"max": number(HARM_SOURCE_MAX)},
            )
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        weights = [data.get(name) for name in HARM_FIELDS]
        if all(w is not None for w in weights) and not any(weights):
            raise forms.ValidationError(
                _(
                    "Minst en brottskategori måste ha en vikt över 0; annars blir varje "
                    "skadeviktat antal noll."
                )
            )
        return data


class PrioritisationDecisionForm(Form):
    """The steering group's decision: which problems are prioritised."""

    problems = forms.ModelMultipleChoiceField(
        label=_("Prioriterade problem"),
        queryset=Problem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Välj minst ett problem att prioritera.")},
    )
    decided_on = forms.DateField(label=_("Beslutsdatum"), widget=DateInput())
    body = forms.CharField(label=_("Beslutande organ"), initial=_("Styrgruppen"), max_length=200)
    text = forms.CharField(label=_("Motivering"), widget=forms.Textarea)

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["problems"].queryset = partnership.problems.all()


def _scope_choices(form: PartnershipOwnedForm, partnership: Partnership, user: Any) -> None:
    fields = form.fields
    if "problem" in fields:
        from samverkan.problems.services import by_status

        # The prioritised problem first: new goals and measures are nearly always for it.
        fields["problem"].queryset = by_status(
            partnership.problems.exclude(status=ProblemStatus.SET_ASIDE)
        )
        fields["problem"].empty_label = None
    if "causes" in fields:
        fields["causes"].queryset = Cause.objects.visible_to(user).filter(partnership=partnership)
    if "goals" in fields:
        fields["goals"].queryset = partnership.goals.all()
    # Signing parties first ("signatory" sorts after "participant"): they carry most measures.
    parties = partnership.parties.select_related("organisation").order_by(
        "-kind", "organisation__name"
    )
    for name in ("allowed_parties", "co_parties", "responsible_party"):
        if name in fields:
            fields[name].queryset = parties
    if "parent" in fields:
        fields["parent"].queryset = partnership.goals.filter(kind=GoalKind.EFFECT)


class ConfidentialFormMixin:
    """Confidential items get at least the editor's own party as allowed reader."""

    cleaned_data: dict[str, Any]  # mixed into forms only

    def default_allowed(self, obj: Any, user: Any) -> None:
        if obj.confidential and not self.cleaned_data.get("allowed_parties"):
            own = obj.partnership.parties.filter(memberships__user=user)
            self.cleaned_data["allowed_parties"] = list(own)


class CauseForm(ConfidentialFormMixin, PartnershipOwnedForm):
    class Meta:
        model = Cause
        fields = [
            "problem",
            "text",
            "perspective",
            "proximity",
            "nature",
            "risk_factors",
            "protective_factors",
            "source",
            "confidential",
            "allowed_parties",
        ]
        widgets = {"allowed_parties": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, partnership: Partnership, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, partnership=partnership, **kwargs)
        self.user = user
        _scope_choices(self, partnership, user)

    def save(self, commit: bool = True) -> Cause:
        cause = super().save(commit=False)
        if not cause.number:
            cause.number = next_number(Cause.objects.filter(partnership=self.partnership))
        self.default_allowed(cause, self.user)
        return cause


class FollowupPlanForm(VersionedModelForm):
    """A goal's follow-up plan on its own (handbook p. 63): how, how often, and by whom."""

    class Meta:
        model = Goal
        fields = ["followup_method", "followup_frequency", "followup_responsible"]
        widgets = {"followup_method": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "followup_method": _(
                "Vilka uppgifter som samlas in och hur, t.ex. ”antal anmälda rån på torget "
                "ur Polisens statistik, jämfört med samma månader året innan”."
            ),
            "followup_frequency": _("T.ex. varje kvartal, varje halvår eller en gång om året."),
            "followup_responsible": _("En person eller funktion, t.ex. kommunens samordnare."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The two parts a plan cannot do without (Goal.has_followup_plan).
        self.fields["followup_method"].required = True
        self.fields["followup_method"].error_messages["required"] = _("Skriv hur målet följs upp.")
        self.fields["followup_responsible"].required = True
        self.fields["followup_responsible"].error_messages["required"] = _(
            "Skriv vem som följer upp målet."
        )


class GoalForm(PartnershipOwnedForm):
    class Meta:
        model = Goal
        fields = [
            "problem",
            "kind",
            "parent",
            "text",
            "causes",
            "indicator",
            "unit",
            "baseline",
            "baseline_period",
            "target",
            "deadline",
            "data_source",
            "followup_method",
            "followup_frequency",
            "followup_responsible",
        ]
        widgets = {
            "causes": forms.CheckboxSelectMultiple,
            "deadline": DateInput(),
            "text": forms.Textarea(attrs={"rows": 2}),
            "followup_method": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, partnership: Partnership, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, partnership=partnership, **kwargs)
        _scope_choices(self, partnership, user)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if kind == GoalKind.SUB and not data.get("causes"):
            self.add_error("causes", _("Ett delmål ska svara mot minst en orsak."))
        if kind == GoalKind.EFFECT and data.get("parent"):
            self.add_error("parent", _("Ett övergripande effektmål har inget överordnat mål."))
        if kind in (GoalKind.EFFECT, GoalKind.SUB) and data.get("target") is not None:
            if data.get("baseline") is None:
                self.add_error(
                    "baseline", _("Ange utgångsvärdet, annars går målvärdet inte att följa upp.")
                )
        return data


class MeasureForm(ConfidentialFormMixin, PartnershipOwnedForm):
    class Meta:
        model = Measure
        fields = [
            "problem",
            "title",
            "causes",
            "goals",
            "aimed_at",
            "kind",
            "horizon",
            "responsible_party",
            "co_parties",
            "responsible_person",
            "how_what",
            "how_where",
            "how_when",
            "how_often",
            "how_by_whom",
            "starts_on",
            "ends_on",
            "hours",
            "money",
            "evidence",
            "evidence_note",
            "mechanism",
            "confidential",
            "allowed_parties",
            "publishable",
        ]
        widgets = {
            "causes": forms.CheckboxSelectMultiple,
            "goals": forms.CheckboxSelectMultiple,
            "co_parties": forms.CheckboxSelectMultiple,
            "allowed_parties": forms.CheckboxSelectMultiple,
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "how_what": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "causes": {
                "required": _(
                    "Välj minst en orsak som åtgärden riktas mot. Åtgärder väljs utifrån "
                    "orsakerna, inte tvärtom."
                )
            }
        }

    def __init__(self, *args: Any, partnership: Partnership, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, partnership=partnership, **kwargs)
        self.user = user
        _scope_choices(self, partnership, user)
        self.fields["responsible_party"].empty_label = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("Slutdatumet kan inte ligga före startdatumet."))
        problem = data.get("problem")
        others = [c for c in data.get("causes") or [] if problem and c.problem_id != problem.pk]
        if others:
            self.add_error(
                "causes",
                _("Orsak %(numbers)s hör till ett annat problem.")
                % {"numbers": ", ".join(str(c.number) for c in others)},
            )
        return data

    def save(self, commit: bool = True) -> Measure:
        measure = super().save(commit=False)
        if not measure.number:
            measure.number = next_number(Measure.objects.filter(partnership=self.partnership))
        self.default_allowed(measure, self.user)
        return measure


class CitizenPromiseForm(PartnershipOwnedForm):
    """A promise to residents, in its public wording, with the measures that back it."""

    class Meta:
        model = CitizenPromise
        fields = [
            "wording",
            "starts_on",
            "ends_on",
            "parties",
            "measures",
            "follow_up",
            "feedback",
            "published",
        ]
        widgets = {
            "wording": forms.Textarea(attrs={"rows": 4}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "parties": forms.CheckboxSelectMultiple,
            "measures": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "parties": {"required": _("Välj minst en part som står bakom löftet.")},
        }

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, partnership=partnership, **kwargs)
        self.fields["parties"].queryset = partnership.parties.select_related("organisation")
        # Only what may be named in public is offered; the rest is not even listed.
        self.fields["measures"].queryset = Measure.objects.filter(
            partnership=partnership, publishable=True, confidential=False
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("Löftet kan inte sluta gälla innan det börjar gälla."))
        for measure in data.get("measures") or ():
            if not promise_may_rest_on(measure):
                self.add_error(
                    "measures",
                    _("Åtgärd %(n)s får inte nämnas offentligt och kan inte ligga bakom ett löfte.")
                    % {"n": measure.number},
                )
        return data
