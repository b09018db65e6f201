from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.learning.models import EvaluationLabel, OpenDataPublication
from samverkan.lib import forms as lib_forms


class PublicationForm(lib_forms.ModelForm):
    class Meta:
        model = OpenDataPublication
        fields = ["licence", "contact_name", "contact_email"]


class LabelForm(lib_forms.ModelForm):
    class Meta:
        model = EvaluationLabel
        fields = ["method", "place_type"]


class SearchForm(lib_forms.Form):
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
        self, *args: Any, options: dict[str, list[tuple[str, str]]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        every: list[tuple[str, Any]] = [("", _("Alla"))]
        for name, key in (("kategori", "categories"), ("metod", "methods"), ("plats", "places")):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = every + options[key]
