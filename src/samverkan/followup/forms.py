"""Forms for step 5."""

from __future__ import annotations

from typing import Any

from django import forms

from samverkan.followup.models import EffectEvaluation, SteeringResponse
from samverkan.lib.forms import DateInput, ModelForm, PartnershipOwnedForm
from samverkan.problems.choices import GoalKind


class EvaluationForm(PartnershipOwnedForm):
    class Meta:
        model = EffectEvaluation
        exclude = ["partnership", "version"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, partnership: Any, **kwargs: Any) -> None:
        super().__init__(*args, partnership=partnership, **kwargs)
        self.fields["goal"].queryset = partnership.goals.filter(
            kind__in=[GoalKind.EFFECT, GoalKind.SUB]
        )
        self.fields["goal"].empty_label = None


class SteeringResponseForm(ModelForm):
    class Meta:
        model = SteeringResponse
        fields = ["date", "response", "decisions", "continue_next_cycle"]
        widgets = {"date": DateInput()}
