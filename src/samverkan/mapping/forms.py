"""Forms of step 2. Messages are Swedish and say what would be right (STYLE.md 7)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from samverkan.lib.forms import DateInput, Form, VersionedModelForm, check_upload
from samverkan.mapping.choices import AreaChoice, ImportKind
from samverkan.mapping.importers.base import Importer
from samverkan.mapping.models import (
    Activity,
    ComparisonMunicipalities,
    CrimeCost,
    DataSource,
    ExperienceNote,
    Resource,
    SafetyWalkObservation,
    SituationReport,
    SurveyResult,
)
from samverkan.mapping.municipalities import NAMES, municipality_code

IMPORT_SUFFIXES = {".csv", ".txt", ".xlsx", ".json"}


class ImportForm(Form):
    kind = forms.ChoiceField(label=_("Typ av data"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("Fil"),
        help_text=_(
            "CSV (semikolon eller komma), Excel (.xlsx) eller JSON: Koladas nyckeltal, "
            "befolkning som JSON-stat från SCB och Polisens händelser."
        ),
    )
    source = forms.ModelChoiceField(
        label=_("Datakälla"),
        queryset=DataSource.objects.none(),
        required=False,
        help_text=_("Vilken av partens datakällor filen kommer från (valfritt)."),
    )

    def __init__(self, *args: Any, party: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = DataSource.objects.filter(party=party, left_out=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in IMPORT_SUFFIXES:
            raise forms.ValidationError(
                _("Filtypen %(suffix)s kan inte importeras. Använd .csv, .xlsx eller .json."),
                params={"suffix": suffix or "?"},
            )
        if upload.size > settings.MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("Filen är för stor (högst %(mb)s MB)."), params={"mb": settings.MAX_UPLOAD_MB}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload, kind = data.get("file"), data.get("kind")
        if upload and kind:
            is_json = Path(upload.name).suffix.lower() == ".json"
            if kind == ImportKind.KOLADA and not is_json:
                self.add_error(
                    "file",
                    _("Kolada-nyckeltal importeras som JSON, så som Koladas API lämnar dem."),
                )
            elif kind == ImportKind.POLISEN_EVENTS and not is_json:
                self.add_error(
                    "file",
                    _("Polisens händelser importeras som JSON, så som polisen.se lämnar dem."),
                )
            elif is_json and kind not in (
                ImportKind.KOLADA,
                ImportKind.POPULATION,
                ImportKind.POLISEN_EVENTS,
            ):
                self.add_error(
                    "file",
                    _(
                        "JSON går att importera för Kolada-nyckeltal, för befolkning "
                        "(JSON-stat från SCB) och för Polisens händelser. Spara övriga typer "
                        "som CSV eller .xlsx."
                    ),
                )
        return data


class AreaChoiceForm(Form):
    """For a file with other municipalities: import only the partnership's areas, or all."""

    choice = forms.ChoiceField(
        label=_("Vad ska importeras?"),
        choices=AreaChoice.choices,
        initial=AreaChoice.OWN,
        widget=forms.RadioSelect,
        help_text=_(
            "Andra kommuners siffror räknas aldrig in i era egna, men de sparas hos er part "
            "och syns i listorna. Vill ni jämföra er med en av dem, välj den som "
            "jämförelsekommun."
        ),
        error_messages={"required": _("Välj vilka områden som ska importeras.")},
    )


class ColumnMappingForm(Form):
    """One choice per field: which column of the file holds it."""

    def __init__(self, *args: Any, importer: Importer, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("– finns inte i filen –"))] + [(h, h) for h in headers]
        guess = importer.match_header(headers)
        for column in importer.columns:
            self.fields[column.name] = forms.ChoiceField(
                label=column.label,
                choices=choices,
                required=column.required,
                initial=headers[guess[column.name]] if column.name in guess else "",
                error_messages={
                    "required": _("Välj kolumnen som innehåller %(label)s.")
                    % {"label": column.label.lower()}
                },
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = [v for v in data.values() if v]
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError(_("Samma kolumn är vald för flera fält; välj en per fält."))
        return data

    def mapping(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v}


class DataSourceForm(VersionedModelForm):
    url = forms.URLField(label=_("Webbadress"), required=False, assume_scheme="https")

    class Meta:
        model = DataSource
        fields = ["name", "covers", "period", "limitations", "reason", "url", "left_out",
                  "left_out_reason"]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("left_out") and not data.get("left_out_reason"):
            self.add_error(
                "left_out_reason", _("Skriv varför källan valdes bort, så att andra förstår.")
            )
        return data


class InventoryForm(VersionedModelForm):
    class Meta:
        fields = ["who", "what", "budget", "staff", "target_group", "area"]
        localized_fields = ["budget", "staff"]  # Swedish users write 3,5


class ResourceForm(InventoryForm):
    class Meta(InventoryForm.Meta):
        model = Resource


class ActivityForm(InventoryForm):
    class Meta(InventoryForm.Meta):
        model = Activity


class SurveyResultForm(VersionedModelForm):
    class Meta:
        model = SurveyResult
        fields = ["question", "area", "year", "share", "n"]
        localized_fields = ["share"]

    def clean_share(self) -> float:
        share = self.cleaned_data["share"]
        if not 0 <= share <= 100:
            raise forms.ValidationError(_("Ange andelen i procent, mellan 0 och 100."))
        return share


class CrimeCostForm(VersionedModelForm):
    class Meta:
        model = CrimeCost
        fields = ["item", "amount", "year", "source"]
        localized_fields = ["amount"]


class ExperienceNoteForm(VersionedModelForm):
    class Meta:
        model = ExperienceNote
        fields = ["title", "text"]


# Sweden in WGS 84 degrees, with a margin: a point picked outside is a slip of the finger.
WALK_LAT_RANGE = (55.0, 69.5)
WALK_LON_RANGE = (10.5, 24.5)


class SafetyWalkForm(VersionedModelForm):
    """An observation from a safety walk. Its point is picked on the map or taken from the
    phone's position (the field report's picker, in WGS 84 degrees, stored as SWEREF 99 TM),
    or typed as SWEREF 99 TM coordinates; typed coordinates win when both are sent, since
    the picker's script empties them when a point is picked."""

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

    class Meta:
        model = SafetyWalkObservation
        fields = ["observed_on", "place", "category", "note", "x", "y", "photo", "reported_by"]
        widgets = {"observed_on": DateInput()}
        localized_fields = ["x", "y"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("x", "y"):
            # The map picker's script empties these when a point is picked (js/fieldwork.js)
            self.fields[name].widget.attrs["data-typed-point"] = ""

    def _degrees(self, name: str, bounds: tuple[float, float]) -> float | None:
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        if not bounds[0] <= value <= bounds[1]:
            raise forms.ValidationError(
                _("Punkten på kartan ligger utanför Sverige. Välj punkten igen.")
            )
        return float(value)

    def clean_latitude(self) -> float | None:
        return self._degrees("latitude", WALK_LAT_RANGE)

    def clean_longitude(self) -> float | None:
        return self._degrees("longitude", WALK_LON_RANGE)

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):
            check_upload(photo)
            if Path(photo.name).suffix.lower() not in (".jpg", ".jpeg", ".png"):
                raise forms.ValidationError(_("Fotot ska vara en JPG- eller PNG-bild."))
        return photo

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("x") is None) != (data.get("y") is None):
            raise forms.ValidationError(_("Ange både östlig och nordlig koordinat, eller ingen."))
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None) and not (
            self.has_error("latitude") or self.has_error("longitude")
        ):
            raise forms.ValidationError(
                _("Punkten på kartan saknar en koordinat. Välj punkten igen.")
            )
        if data.get("x") is None and lat is not None and lon is not None:
            from samverkan.analysis.hotspots import wgs84_to_sweref99tm

            east, north = wgs84_to_sweref99tm(lon, lat)
            data["x"], data["y"] = round(float(east), 1), round(float(north), 1)
        return data


class SituationReportForm(VersionedModelForm):
    class Meta:
        model = SituationReport
        fields = ["title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 18})}


MAX_COMPARISON_MUNICIPALITIES = 20


class ComparisonMunicipalitiesForm(VersionedModelForm):
    """Which municipalities the party compares itself with, given by name or SCB code."""

    municipalities = forms.CharField(
        label=_("Jämförelsekommuner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Skriv kommunernas namn eller fyrsiffriga koder, åtskilda med kommatecken eller "
            "radbrytning, t.ex. Lund, Uppsala, 1480. Lämna tomt för att inte jämföra."
        ),
    )

    field_order = ["municipalities", "basis"]

    class Meta:
        model = ComparisonMunicipalities
        fields = ["basis"]

    def __init__(self, *args: Any, own_code: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.own_code = own_code
        if self.instance.pk:
            self.fields["municipalities"].initial = ", ".join(
                NAMES.get(code, code) for code in self.instance.codes
            )

    def clean_municipalities(self) -> list[str]:
        entries = [e.strip() for e in re.split(r"[,;\n]", self.cleaned_data["municipalities"])]
        codes: list[str] = []
        unknown: list[str] = []
        for entry in filter(None, entries):
            code = municipality_code(entry)
            if code is None:
                unknown.append(entry)
            elif code not in codes:
                codes.append(code)
        if unknown:
            raise forms.ValidationError(
                _(
                    "Okänd kommun: %(names)s. Skriv kommunens namn (t.ex. Lund) eller dess "
                    "fyrsiffriga kod enligt SCB (t.ex. 1281)."
                ),
                params={"names": ", ".join(f"”{u}”" for u in unknown)},
            )
        if self.own_code and self.own_code in codes:
            raise forms.ValidationError(
                _(
                    "%(name)s är er egen kommun. Jämförelsekommunerna ska vara andra kommuner; "
                    "ta bort den ur listan."
                ),
                params={"name": NAMES[self.own_code]},
            )
        if len(codes) > MAX_COMPARISON_MUNICIPALITIES:
            raise forms.ValidationError(
                _("Välj högst %(max)s jämförelsekommuner (du angav %(n)s)."),
                params={"max": MAX_COMPARISON_MUNICIPALITIES, "n": len(codes)},
            )
        return codes

    def save(self, commit: bool = True) -> Any:
        self.instance.codes = self.cleaned_data["municipalities"]
        return super().save(commit=commit)
