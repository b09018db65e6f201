from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.learning.models import EvaluationLabel, OpenDataPublication


class PublicationForm(forms.ModelForm):
    class Meta:
        model = OpenDataPublication
        fields = ["licence", "contact_name", "contact_email"]


class LabelForm(forms.ModelForm):
    class Meta:
        model = EvaluationLabel
        fields = ["method", "place_type"]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Problem eller brott"), required=False, max_length=200)
    kategori = forms.ChoiceField(label=_("Brottskategori"), required=False)
    metod = forms.ChoiceField(label=_("Typ av åtgärd"), required=False)
    plats = forms.ChoiceField(label=_("Typ av plats"), required=False)
    ar = forms.RegexField(
        label=_("År"),
        regex=r"^\d{4}$",
        required=False,
        max_length=4,
        error_messages={"invalid": _("Ange ett år med fyra siffror.")},
    )

    def __init__(
        self, *args: object, options: dict[str, list[tuple[str, str]]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        every: list[tuple[str, Any]] = [("", _("Alla"))]
        for name, key in (("kategori", "categories"), ("metod", "methods"), ("plats", "places")):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = every + options[key]
