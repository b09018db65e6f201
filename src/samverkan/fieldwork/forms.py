"""The field report form (for a phone: few fields, large targets) and the settings forms."""

from __future__ import annotations

import datetime
import hashlib
import json
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
    FieldworkPolicy,
)
from samverkan.fieldwork.names import seems_to_name_people
from samverkan.lib.forms import DateTimeInput, Form, ModelForm
from samverkan.lib.personal_data_forms import guard_free_text

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
            "Vad hände, vad gjorde du? Skriv inte namn, adresser eller personnummer: rapporten "
            "läses av hela samverkan. Personnummer sparas aldrig."
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
        # Identity numbers are refused in every typed field; no confirmation passes them.
        guard_free_text(self, "text", "place_text")
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
        known = set(
            FieldPlace.objects.filter(partnership=self.partnership).values_list("name", flat=True)
        )
        # Names and addresses in the text and the typed place alike: a warning the reporter
        # may pass, after which the report is held back for a coordinator (models.FieldReport).
        for name in ("text", "place_text"):
            if self.has_error(name):
                continue
            found = seems_to_name_people(data.get(name) or "", known)
            self.name_warning += found
            if found and not data.get("confirm_names"):
                self.add_error(name, _warning(name, found))
        return data

    def fingerprint(self, user: Any) -> str:
        """What this submission says, and who sends it, as one hash: a resubmission after a
        lost answer has the same, a changed draft or another reporter never does."""
        data = self.cleaned_data
        content = [
            getattr(user, "pk", None),
            data["observed_at"].isoformat(),
            data["category"].pk,
            data["place"].pk if data.get("place") else None,
            data.get("place_text") or "",
            data.get("latitude"),
            data.get("longitude"),
            data.get("people"),
            data.get("text") or "",
        ]
        return hashlib.sha256(json.dumps(content).encode()).hexdigest()

    def save(self, user: Any, party: Any) -> tuple[FieldReport, bool]:
        """Save the report, or find the one already saved from this very submission.

        The form's token alone never decides: a report counts as already saved only when the
        same reporter sent the same content with it. The same token with other content (a
        draft restored after a lost answer and written over) is saved as a new report under a
        token derived from the content, so sending that again is not saved twice either.
        """
        data = self.cleaned_data
        token = data.get("client_token") or ""
        fingerprint = self.fingerprint(user)
        if token:
            derived = f"{token[:47]}-{fingerprint[:16]}"
            earlier = list(
                FieldReport.objects.filter(
                    partnership=self.partnership, client_token__in=[token, derived]
                )
            )
            for report in earlier:
                if report.fingerprint == fingerprint:
                    return report, False
            if earlier:
                token = derived
        held = bool(self.name_warning and data.get("confirm_names"))
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
            names_confirmed=held,
            held_back=held,
            reported_by=user,
            party=party,
            client_token=token,
            fingerprint=fingerprint,
        )
        return report, True


def _warning(name: str, found: list[str]) -> str:
    where = _("Texten") if name == "text" else _("Platsen")
    return _(
        "%(where)s verkar innehålla namn eller en adress (%(found)s). Rapporten läses av hela "
        "samverkan: ta bort uppgifterna, eller kryssa i rutan nedan om det inte är personer "
        "(t.ex. ett gatunamn). En rapport som sparas trots varningen visas bara för "
        "samordnarna i din part tills de har granskat den."
    ) % {"where": where, "found": ", ".join(found[:3])}


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


class MaskForm(Form):
    """A coordinator masks a held-back report: the text as it was, with the parts to hide
    replaced by "[maskerat]". Nothing may be added or reworded."""

    text = forms.CharField(
        label=_("Beskrivning"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Ersätt namn, adresser och annat som pekar ut en person med [maskerat]. Förslaget "
            "nedan har redan maskerat det som ser ut som namn; ändra det om det behövs."
        ),
    )
    place_text = forms.CharField(
        label=_("Skriven plats"),
        required=False,
        max_length=200,
        help_text=_("Samma sak för platsen rapportören skrev."),
    )

    def __init__(self, *args: Any, report: FieldReport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        guard_free_text(self, "text", "place_text")

    def _masked(self, name: str, original: str) -> str:
        from samverkan.lib.personal_data import is_masking_of

        value = (self.cleaned_data.get(name) or "").replace("\r\n", "\n")
        # The form tidies whitespace; compare with the original tidied the same way.
        if not is_masking_of(original.replace("\r\n", "\n").strip(), value):
            raise forms.ValidationError(
                _(
                    "Du kan bara ersätta delar av texten med [maskerat], inte skriva om den "
                    "eller lägga till något. Börja från förslaget igen."
                )
            )
        return value

    def clean_text(self) -> str:
        return self._masked("text", self.report.text)

    def clean_place_text(self) -> str:
        return self._masked("place_text", self.report.place_text)


class AddPlaceForm(Form):
    """A typed place goes onto the place list (so shared outputs may name it)."""

    name = forms.CharField(
        label=_("Namn i platslistan"),
        max_length=200,
        help_text=_(
            "Skriv platsen så som den ska stå i veckolägesbilden, utan namn på personer eller "
            "lägenhetsnummer."
        ),
        error_messages={"required": _("Skriv platsens namn.")},
    )

    def __init__(self, *args: Any, partnership: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        guard_free_text(self, "name")

    def clean_name(self) -> str:
        from samverkan.lib.personal_data import address_hints, names

        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Skriv platsens namn."))
        known = FieldPlace.objects.filter(partnership=self.partnership).values_list(
            "name", flat=True
        )
        if names(name, known) or address_hints(name):
            raise forms.ValidationError(
                _(
                    "Namnet verkar innehålla en persons namn eller ett lägenhetsnummer. Platser "
                    "i listan syns för alla: skriv platsen utan dem."
                )
            )
        return name


class PolicyForm(ModelForm):
    """How long the free text of field reports is kept."""

    class Meta:
        model = FieldworkPolicy
        fields = ["retention_months"]
        error_messages = {
            "retention_months": {
                "invalid": _("Skriv antalet månader som ett heltal, t.ex. 12."),
                "min_value": _("Lagringstiden är minst 1 månad."),
                "max_value": _("Lagringstiden är högst %(limit_value)s månader."),
            }
        }
