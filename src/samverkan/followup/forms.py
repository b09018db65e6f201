"""Forms for step 5."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.followup.models import EffectEvaluation, SteeringResponse, WriteUpSection
from samverkan.lib.forms import (
    DateInput,
    Form,
    ModelForm,
    PartnershipOwnedForm,
    VersionedModelForm,
)
from samverkan.lib.personal_data_forms import guard_free_text
from samverkan.problems.choices import GoalKind


class EvaluationForm(PartnershipOwnedForm):
    class Meta:
        model = EffectEvaluation
        exclude = ["partnership", "version"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(
        self, *args: Any, partnership: Any, goal_id: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, partnership=partnership, **kwargs)
        goals = partnership.goals.filter(kind__in=[GoalKind.EFFECT, GoalKind.SUB])
        self.fields["goal"].queryset = goals
        self.fields["goal"].empty_label = None
        if not self.is_bound and self.instance.pk is None:
            self._prefill(goals, goal_id)

    def _prefill(self, goals: Any, goal_id: str | None) -> None:
        """Start from the goal: its indicator, and its baseline as the "before" figure."""
        goal = None
        if goal_id and str(goal_id).isdigit():
            goal = goals.filter(pk=int(goal_id)).first()
        if goal is None:  # the first goal not yet followed up, else the first goal
            goal = goals.filter(evaluations__isnull=True).first() or goals.first()
        if goal is None:
            return
        self.initial.setdefault("goal", goal.pk)
        self.initial.setdefault("indicator", goal.indicator)
        self.initial.setdefault("period_before", goal.baseline_period)
        if goal.baseline is not None and goal.baseline == int(goal.baseline):
            self.initial.setdefault("treated_before", int(goal.baseline))
        self.fields["goal"].help_text = _(
            "Indikator, period och värde före är hämtade från målet. Välj ett annat mål via "
            "länkarna på uppföljningssidan för att få dess värden."
        )


class SteeringResponseForm(ModelForm):
    class Meta:
        model = SteeringResponse
        fields = ["date", "response", "decisions", "continue_next_cycle"]
        widgets = {"date": DateInput()}


class CycleCloseForm(Form):
    """Confirm the closing of a cycle: one choice per goal that gets a new baseline, and the
    reason when the steering group has not answered (only administrators reach this form)."""

    override_reason = forms.CharField(
        label=_("Varför omgången avslutas utan styrgruppens svar"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Skälet sparas i omgångens sammanfattning och visas för alla i samverkan."),
    )

    def __init__(self, *args: Any, preview: Any, **kwargs: Any) -> None:
        from samverkan.followup.services import TargetChoice
        from samverkan.followup.services import plain_number as _num

        super().__init__(*args, **kwargs)
        self.preview = preview
        self.goal_fields = []
        for change in preview.goals:
            if not change.changes:
                continue
            options = [
                (
                    TargetChoice.NEW_BASELINE,
                    _("Nytt utgångsvärde %(new)s, målvärdet %(target)s behålls")
                    % {"new": _num(change.new_baseline), "target": _num(change.target)},
                ),
            ]
            if change.can_scale:
                options.append(
                    (
                        TargetChoice.SCALE_TARGET,
                        _(
                            "Nytt utgångsvärde %(new)s, målvärdet räknas om till %(scaled)s "
                            "(samma relativa förändring som förut)"
                        )
                        % {"new": _num(change.new_baseline), "scaled": _num(change.scaled_target)},
                    )
                )
            options.append(
                (
                    TargetChoice.KEEP_ALL,
                    _("Behåll utgångsvärdet %(old)s och målvärdet %(target)s")
                    % {"old": _num(change.old_baseline), "target": _num(change.target)},
                )
            )
            name = f"goal_{change.goal.pk}"
            self.fields[name] = forms.ChoiceField(
                label=change.goal.text,
                choices=options,
                initial=TargetChoice.NEW_BASELINE,
                widget=forms.RadioSelect,
            )
            self.goal_fields.append((change, self[name]))
        if not preview.steering_answered:
            self.fields["override_reason"].required = True
            self.fields["override_reason"].error_messages["required"] = _(
                "Styrgruppen har inte svarat. Skriv varför omgången ändå ska avslutas."
            )

    def choices(self) -> dict[int, str]:
        return {
            change.goal.pk: self.cleaned_data[f"goal_{change.goal.pk}"]
            for change, _bound in self.goal_fields
        }


def _place_list(text: str) -> list[str]:
    return [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]


class IncidentCountForm(Form):
    """Where, what and when to count in one party's imported incidents for an effect
    follow-up. Places are the names the party's incident file uses."""

    party = forms.TypedChoiceField(
        label=_("Källa"),
        coerce=int,
        help_text=_("En av dina parters importerade händelser, eller samverkans fältrapporter."),
    )
    treated = forms.CharField(
        label=_("Insatsområdets platser"),
        max_length=1000,
        help_text=_("Platsnamn som i händelsefilen, åtskilda med kommatecken."),
    )
    control = forms.CharField(
        label=_("Kontrollområdets platser"),
        max_length=1000,
        required=False,
        help_text=_("Ett liknande område utan insatsen (valfritt)."),
    )
    buffer = forms.CharField(
        label=_("Omgivande områdets platser"),
        max_length=1000,
        required=False,
        help_text=_("Platserna runt insatsområdet, för att se om brotten flyttade (valfritt)."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Brottskategorier"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Inga valda: allt räknas. Händelser har handbokens brottskategorier, "
            "fältrapporter samverkans egna kategorier."
        ),
    )
    before_from = forms.DateField(label=_("Före: från"), widget=DateInput())
    before_to = forms.DateField(label=_("Före: till och med"), widget=DateInput())
    after_from = forms.DateField(label=_("Efter: från"), widget=DateInput())
    after_to = forms.DateField(label=_("Efter: till och med"), widget=DateInput())

    def __init__(self, *args: Any, sources: list[tuple[int, str]], places: dict[int, list[str]],
                 categories: list[str], **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.places = places
        self.fields["party"].choices = sources
        self.fields["categories"].choices = [(c, c) for c in categories]
        if len(sources) == 1:
            self.initial.setdefault("party", sources[0][0])

    def _known(self, field: str) -> list[str]:
        names = _place_list(self.cleaned_data.get(field, ""))
        party = self.cleaned_data.get("party")
        if party is None:
            return names
        known = {p.casefold(): p for p in self.places.get(party, [])}
        unknown = [n for n in names if n.casefold() not in known]
        if unknown:
            examples = ", ".join(self.places.get(party, [])[:8])
            raise forms.ValidationError(
                _("Okänd plats i partens händelser: %(names)s. Platser som finns är t.ex. %(ex)s.")
                % {"names": ", ".join(unknown), "ex": examples or "–"}
            )
        return [known[n.casefold()] for n in names]

    def clean_treated(self) -> list[str]:
        names = self._known("treated")
        if not names:
            raise forms.ValidationError(_("Ange minst en plats i insatsområdet."))
        return names

    def clean_control(self) -> list[str]:
        return self._known("control")

    def clean_buffer(self) -> list[str]:
        return self._known("buffer")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        bf, bt = data.get("before_from"), data.get("before_to")
        af, at = data.get("after_from"), data.get("after_to")
        if bf and bt and bf > bt:
            self.add_error("before_to", _("Perioden före slutar innan den börjar."))
        if af and at and af > at:
            self.add_error("after_to", _("Perioden efter slutar innan den börjar."))
        if bt and af and af <= bt:
            self.add_error("after_from", _("Perioden efter måste börja efter perioden före."))
        treated = set(data.get("treated") or [])
        for field in ("control", "buffer"):
            if treated & set(data.get(field) or []):
                self.add_error(field, _("En plats kan inte höra till insatsområdet också."))
        return data


class WriteUpSectionForm(VersionedModelForm):
    """One part of the 5I write-up. The text is shared with every member and printed in the
    public edition, so it may not repeat a confidential cause or measure."""

    class Meta:
        model = WriteUpSection
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 18})}

    def __init__(self, *args: Any, partnership: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership, self.user = partnership, user
        self.fields["text"].label = _("Text")
        guard_free_text(self, "text")  # identity numbers refused

    def clean_text(self) -> str:
        from samverkan.accounts import access
        from samverkan.followup import write_up

        text = self.cleaned_data.get("text", "")
        # Only items the editor may see are named; a quote of one the editor may not see
        # is withheld from other readers when the text is shown (write_up.may_show).
        quoted = [
            item
            for item in write_up.quoted_items(self.partnership, text)
            if access.may_see_item(self.user, item, self.partnership)
        ]
        if quoted:
            names = ", ".join(
                (_("orsak %(n)s") if hasattr(item, "risk_factors") else _("åtgärd %(n)s"))
                % {"n": item.number}
                for item in quoted
            )
            raise forms.ValidationError(
                _(
                    "Texten citerar uppgifter under sekretess (%(items)s). Texten visas för alla "
                    "medlemmar och i den offentliga versionen: skriv om den utan dem."
                )
                % {"items": names}
            )
        return text
