"""Forms for step 4."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.implementation.models import ActionItem, ActivityEntry, Progress, Status
from samverkan.lib.forms import DateInput, ModelForm, VersionedModelForm
from samverkan.lib.personal_data_forms import guard_free_text
from samverkan.problems.choices import GoalKind


class ProgressForm(VersionedModelForm):
    class Meta:
        model = Progress
        fields = ["status", "reason", "owner", "started_on", "finished_on"]
        widgets = {"started_on": DateInput(), "finished_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from samverkan.accounts.models import User

        partnership = self.instance.measure.partnership
        self.fields["owner"].queryset = User.objects.filter(
            memberships__party__partnership=partnership
        ).distinct()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        status = data.get("status")
        if status in (Status.PAUSED, Status.CANCELLED) and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Ange varför åtgärden pausas eller avbryts."))
        if status in (Status.STARTED, Status.DONE) and not data.get("started_on"):
            # Started today unless told otherwise (a done measure started no later than that).
            data["started_on"] = data.get("finished_on") or timezone.localdate()
        if status == Status.DONE and not data.get("finished_on"):
            self.add_error("finished_on", _("Ange när åtgärden avslutades."))
        start, end = data.get("started_on"), data.get("finished_on")
        if start and end and end < start:
            self.add_error("finished_on", _("Avslutsdatumet kan inte ligga före startdatumet."))
        return data


class ActivityForm(ModelForm):
    class Meta:
        model = ActivityEntry
        fields = ["date", "what", "by_whom", "production_goal", "count", "deviation"]
        widgets = {
            "date": DateInput(),
            "what": forms.Textarea(attrs={"rows": 3}),
            "deviation": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, measure: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        guard_free_text(self, "what", "by_whom", "deviation")  # identity numbers refused
        self.fields["production_goal"].queryset = measure.partnership.goals.filter(
            kind=GoalKind.PRODUCTION
        )
        # A measure with one production goal logs against that goal: start from it.
        own = list(measure.goals.filter(kind=GoalKind.PRODUCTION).values_list("pk", flat=True))
        self.default_goal = own[0] if len(own) == 1 else None
        if self.default_goal is not None:
            self.fields["production_goal"].initial = self.default_goal

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        goal = data.get("production_goal")
        if goal is not None and goal.pk == self.default_goal and not data.get("count"):
            # The preselected goal, left without a count: nothing is counted.
            data["production_goal"] = None
        if data.get("count") and not data.get("production_goal"):
            self.add_error("production_goal", _("Välj vilket produktionsmål antalet räknas mot."))
        if data.get("production_goal") and not data.get("count"):
            self.add_error("count", _("Ange hur mycket som räknas mot produktionsmålet."))
        return data

    def save(self, commit: bool = True) -> ActivityEntry:
        entry = super().save(commit=False)
        entry.measure = self.measure
        if commit:
            entry.save()
        return entry


class ActionItemForm(ModelForm):
    class Meta:
        model = ActionItem
        fields = ["text", "responsible", "due", "measure"]
        widgets = {"due": DateInput()}

    def __init__(self, *args: Any, meeting: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from samverkan.problems.models import Measure

        guard_free_text(self, "text", "responsible")  # identity numbers refused
        self.meeting = meeting
        self.fields["measure"].queryset = Measure.objects.visible_to(user).filter(
            partnership=meeting.partnership
        )

    def save(self, commit: bool = True) -> ActionItem:
        item = super().save(commit=False)
        item.meeting = self.meeting
        if commit:
            item.save()
        return item
