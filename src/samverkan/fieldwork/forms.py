"""The field report form (for a phone: few fields, large targets) and the settings forms."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.fieldwork.models import (
    MAX_PEOPLE,
    MAX_TEXT,
    FieldCategory,
    FieldPlace,
    FieldReport,
)
from samverkan.fieldwork.names import seems_to_name_people
from samverkan.lib.forms import DateTimeInput, Form, ModelForm

# Sweden with a margin: a point outside is a slip of the finger or a wrong position fix.
LAT_RANGE = (55.0, 69.5)
LON_RANGE = (10.5, 24.5)
TOKEN_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")
EARLIEST = datetime.date(2000, 1, 1)
FUTURE_SLACK = datetime.timedelta(minutes=30)  # a phone clock running a little fast


class FieldReportForm(Form):
    """One observation. ``partnership`` scopes the places and categories: an id from another
    partnership is simply not a choice."""

    observed_at = forms.DateTimeField(
        label=_("När"),
        widget=DateTimeInput(),
        help_text=_("Nu, om du inte ändrar."),
        error_messages={
            "required": _("Ange när du såg det."),
            "invalid": _("Ange datum och tid, t.ex. 2026-11-27 21:30."),
        },
    )
    category = forms.ModelChoiceField(
        label=_("Vad"),
        queryset=FieldCategory.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Välj vad rapporten gäller."),
            "invalid_choice": _("Välj en av kategorierna i listan."),
        },
    )
    place = forms.ModelChoiceField(
        label=_("Var: plats i listan"),
        queryset=FieldPlace.objects.none(),
        required=False,
        empty_label=_("– välj plats –"),
        error_messages={"invalid_choice": _("Välj en av platserna i listan.")},
    )
    place_text = forms.CharField(
        label=_("… eller skriv platsen"),
        max_length=200,
        required=False,
        help_text=_("T.ex. en gata, en port eller en busshållplats."),
        error_messages={
            "max_length": _("Skriv platsen med högst %(limit_value)d tecken (nu %(show_value)d).")
        },
    )
    latitude = forms.FloatField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("Punkten på kartan kunde inte läsas. Välj punkten igen.")},
    )
    longitude = forms.FloatField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("Punkten på kartan kunde inte läsas. Välj punkten igen.")},
    )
    people = forms.IntegerField(
        label=_("Antal personer"),
        required=False,
        min_value=0,
        max_value=MAX_PEOPLE,
        help_text=_("Ungefär hur många personer det gällde. Lämna tomt om det inte passar."),
        error_messages={
            "invalid": _("Skriv antalet personer som en siffra, t.ex. 4."),
            "min_value": _("Antalet personer kan inte vara negativt."),
            "max_value": _("Antalet personer kan vara högst %(limit_value)s."),
        },
    )
    text = forms.CharField(
        label=_("Beskrivning"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Vad hände, vad gjorde du? Skriv inte namn eller personnummer: rapporten läses av "
            "hela samverkan."
        ),
        error_messages={
            "max_length": _(
                "Beskrivningen får vara högst %(limit_value)d tecken (nu %(show_value)d). Korta "
                "den eller dela upp den på två rapporter."
            )
        },
    )
    confirm_names = forms.BooleanField(
        label=_("Jag har läst varningen och vill spara texten som den är"),
        required=False,
    )
    client_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, partnership: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.name_warning: list[str] = []
        self.fields["category"].queryset = FieldCategory.objects.filter(
            partnership=partnership, active=True
        )
        self.fields["place"].queryset = FieldPlace.objects.filter(
            partnership=partnership, active=True
        )
        self.fields["observed_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["people"].widget.attrs["inputmode"] = "numeric"
        self.fields["place_text"].widget.attrs["autocomplete"] = "off"

    def clean_observed_at(self) -> datetime.datetime:
        value = self.cleaned_data["observed_at"]
        if value > timezone.now() + FUTURE_SLACK:
            raise forms.ValidationError(_("Tiden ligger i framtiden. Ange när du såg det."))
        if value.date() < EARLIEST:
            raise forms.ValidationError(_("Ange ett datum efter år 2000."))
        return value

    def clean_latitude(self) -> float | None:
        return self._coordinate("latitude", LAT_RANGE)

    def clean_longitude(self) -> float | None:
        return self._coordinate("longitude", LON_RANGE)

    def _coordinate(self, name: str, bounds: tuple[float, float]) -> float | None:
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        if not bounds[0] <= value <= bounds[1]:
            raise forms.ValidationError(
                _(
                    "Punkten på kartan ligger utanför Sverige. Välj punkten igen eller skriv "
                    "platsen."
                )
            )
        return round(value, 6)

    def clean_client_token(self) -> str:
        value = self.cleaned_data.get("client_token") or ""
        if value and not TOKEN_RE.match(value):
            return ""  # the form's own script writes it; anything else is ignored
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None) and not self.has_error("latitude"):
            self.add_error(None, _("Punkten på kartan saknar en koordinat. Välj punkten igen."))
        has_point = lat is not None and lon is not None
        if not (data.get("place") or data.get("place_text") or has_point):
            if not (self.has_error("place") or self.has_error("place_text")):
                self.add_error(
                    "place",
                    _("Ange var: välj en plats i listan, skriv platsen eller välj en punkt."),
                )
        text = data.get("text") or ""
        known = set(
            FieldPlace.objects.filter(partnership=self.partnership).values_list("name", flat=True)
        )
        self.name_warning = seems_to_name_people(text, known)
        if self.name_warning and not data.get("confirm_names"):
            self.add_error(
                "text",
                _(
                    "Texten verkar innehålla namn eller personnummer (%(found)s). Rapporten läses "
                    "av hela samverkan: ta bort uppgifterna, eller kryssa i rutan nedan om det "
                    "inte är personer (t.ex. ett gatunamn)."
                )
                % {"found": ", ".join(self.name_warning[:3])},
            )
        return data

    def save(self, user: Any, party: Any) -> tuple[FieldReport, bool]:
        """Save the report (or find the one already saved with this form's token)."""
        data = self.cleaned_data
        token = data.get("client_token") or ""
        if token:
            existing = FieldReport.objects.filter(
                partnership=self.partnership, client_token=token
            ).first()
            if existing is not None:
                return existing, False
        report = FieldReport.objects.create(
            partnership=self.partnership,
            observed_at=data["observed_at"],
            place=data.get("place"),
            place_text=data.get("place_text") or "",
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            category=data["category"],
            people=data.get("people"),
            text=data.get("text") or "",
            names_confirmed=bool(self.name_warning and data.get("confirm_names")),
            reported_by=user,
            party=party,
            client_token=token,
        )
        return report, True


class _NamedInPartnership(ModelForm):
    """A partnership's named list item: the name is tidied and unique in the partnership,
    without regard to case."""

    empty_message: Any
    taken_message: Any

    def __init__(self, *args: Any, partnership: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(self.empty_message)
        model = self._meta.model
        if model.objects.filter(partnership=self.partnership, name__iexact=name).exists():
            raise forms.ValidationError(self.taken_message)
        return name


class CategoryForm(_NamedInPartnership):
    class Meta:
        model = FieldCategory
        fields = ["name"]
        labels = {"name": _("Ny kategori")}

    empty_message = _("Skriv kategorins namn.")
    taken_message = _("Kategorin finns redan.")

    def save(self, commit: bool = True) -> FieldCategory:
        obj = super().save(commit=False)
        obj.partnership = self.partnership
        last = (
            FieldCategory.objects.filter(partnership=self.partnership).order_by("-position").first()
        )
        obj.position = (last.position + 1) if last is not None else 1
        if commit:
            obj.save()
        return obj


class PlaceForm(_NamedInPartnership):
    class Meta:
        model = FieldPlace
        fields = ["name", "latitude", "longitude"]
        labels = {"name": _("Ny plats")}
        help_texts = {
            "latitude": _("Valfritt, t.ex. 59,3293. Med en punkt syns platsen på kartan."),
            "longitude": _("Valfritt, t.ex. 18,0686."),
        }

    empty_message = _("Skriv platsens namn.")
    taken_message = _("Platsen finns redan.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            self.add_error("longitude", _("Ange både latitud och longitud, eller ingen av dem."))
        if lat is not None and not LAT_RANGE[0] <= lat <= LAT_RANGE[1]:
            self.add_error("latitude", _("Latituden ligger utanför Sverige (55–69,5)."))
        if lon is not None and not LON_RANGE[0] <= lon <= LON_RANGE[1]:
            self.add_error("longitude", _("Longituden ligger utanför Sverige (10,5–24,5)."))
        return data

    def save(self, commit: bool = True) -> FieldPlace:
        obj = super().save(commit=False)
        obj.partnership = self.partnership
        if commit:
            obj.save()
        return obj
