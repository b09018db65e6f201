"""Forms of the incident map: the filter above it and the upload of the area boundary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.lib.forms import Form
from samverkan.mapping.boundary import MAX_BYTES, Boundary, BoundaryError, parse_boundary
from samverkan.mapping.mapdata import MapFilter, filter_choices
from samverkan.partnerships.models import Party

BOUNDARY_SUFFIXES = {".geojson", ".json"}


class MapFilterForm(Form):
    """Year and category, offered from what the party's incidents actually span."""

    year = forms.TypedChoiceField(
        label=_("År"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={
            "invalid_choice": _(
                "Året %(value)s finns inte bland partens händelser. Välj ett år i listan."
            )
        },
    )
    category = forms.ChoiceField(
        label=_("Brottskategori"),
        required=False,
        error_messages={
            "invalid_choice": _(
                "Brottskategorin %(value)s finns inte bland partens händelser. Välj en i listan."
            )
        },
    )

    def __init__(self, *args: Any, party: Party, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years, categories = filter_choices(party)
        self.fields["year"].choices = [("", _("Alla år"))] + [(y, str(y)) for y in years]
        self.fields["category"].choices = [("", _("Alla kategorier"))] + [
            (c, c) for c in categories
        ]

    def chosen(self) -> MapFilter:
        data = self.cleaned_data
        return MapFilter(year=data.get("year"), category=data.get("category") or None)


class BoundaryUploadForm(Form):
    """A GeoJSON file with the area boundary, read and checked completely before it is kept."""

    name = forms.CharField(
        label=_("Områdets namn"),
        max_length=200,
        required=False,
        help_text=_("T.ex. kommunen eller stadsdelen. Tomt: namnet i filen, annars filnamnet."),
    )
    file = forms.FileField(
        label=_("GeoJSON-fil med områdesgränsen"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".geojson,.json,application/geo+json,application/json"}
        ),
        help_text=_(
            "Polygon eller MultiPolygon, ensam eller i en Feature/FeatureCollection. "
            "Koordinater i WGS 84 (longitud, latitud) eller SWEREF 99 TM (meter); "
            "systemet känns igen på talen. Högst 5 MB."
        ),
    )

    boundary: Boundary | None = None

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in BOUNDARY_SUFFIXES:
            raise forms.ValidationError(
                _("Filtypen %(suffix)s tas inte emot. Ladda upp en .geojson- eller .json-fil."),
                params={"suffix": suffix or "?"},
            )
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Filen är för stor (högst %(mb)s MB). Förenkla gränsen i ett GIS-program."),
                params={"mb": MAX_BYTES // (1024 * 1024)},
            )
        raw = b"".join(upload.chunks())
        try:
            self.boundary = parse_boundary(raw)
        except BoundaryError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload

    def area_name(self) -> str:
        assert self.boundary is not None
        name = self.cleaned_data.get("name", "").strip()
        return name or self.boundary.name or Path(self.cleaned_data["file"].name).stem[:200]
