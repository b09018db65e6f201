"""Form helpers shared by the step apps: clean text, optimistic locking and upload checks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from samverkan.lib.text import strip_control
from samverkan.lib.versioning import EditConflict, save_versioned

ALLOWED_UPLOADS = {".pdf", ".docx", ".doc", ".odt", ".txt", ".png", ".jpg", ".jpeg"}


def _without_control(to_python: Any) -> Any:
    def clean(value: Any) -> Any:
        return to_python(strip_control(value) if isinstance(value, str) else value)

    return clean


# Spaces people put between thousands: plain, no-break and narrow no-break (Word, Excel).
_GROUP_SPACES = (" ", "\u00a0", "\u202f", "\u2009")
_NUMBER_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField)


def swedish_number_input(value: Any) -> Any:
    """Read a number as Swedes write it: "1 250 000", "0,30", "−5" (true minus)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    for space in _GROUP_SPACES:
        text = text.replace(space, "")
    return text.replace("\u2212", "-").replace(",", ".")


def _as_swedish_number(to_python: Any) -> Any:
    def clean(value: Any) -> Any:
        return to_python(swedish_number_input(value))

    return clean


class NamedFileInput(forms.ClearableFileInput):
    """A file field that names a stored file by its name, not by its storage path (and does
    not link to it: files are downloaded through pages that check who may have them)."""

    template_name = "forms/named_file_input.html"

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        stored = context["widget"]["value"]
        context["widget"]["file_name"] = (
            Path(str(getattr(stored, "name", "") or "")).name
            if context["widget"]["is_initial"]
            else ""
        )
        return context


if TYPE_CHECKING:
    # The mixin is only ever mixed into Django forms: the type checker sees it as one.
    _FormBase = forms.BaseForm
    # Generic in the stubs only (any model here), a plain class at run time.
    _ModelFormBase = forms.ModelForm[Any]
else:
    _FormBase = object
    _ModelFormBase = forms.ModelForm


class CleanTextMixin(_FormBase):
    """Strip control characters (all but newline and tab) from every text field's input.

    An editor who pastes a stray control character into a purpose or a label would otherwise
    store text that breaks the Word file and the charts for everyone who reads them. Every
    form in the project takes this in (``ModelForm``, ``Form`` and ``VersionedModelForm``
    below; a test walks them all). Password fields are left exactly as typed.
    """

    # Forms look their fields up by name and then set what that kind of field has (a
    # queryset, choices, an empty label); Django's `Field` type has none of these, and a
    # dict's value type cannot follow the key, so the lookup is left untyped.
    fields: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each field's to_python is wrapped on this instance (mypy refuses assigning to a
        # method: method-assign below); the class and other forms keep Django's own.
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(
                field.widget, forms.PasswordInput
            ):
                field.to_python = _without_control(field.to_python)  # type: ignore[method-assign]
            elif (
                isinstance(field, forms.FileField)
                and type(field.widget) is forms.ClearableFileInput
            ):
                field.widget = NamedFileInput(attrs=field.widget.attrs)
            elif isinstance(field, _NUMBER_FIELDS) and not isinstance(
                field.widget, forms.HiddenInput
            ):
                # A browser's number input refuses "1 250 000" and "0,30" before we see them;
                # a text input with a numeric keyboard takes what people type, and the value
                # is shown back with a decimal comma.
                field.to_python = _as_swedish_number(field.to_python)  # type: ignore[method-assign]
                if isinstance(field.widget, forms.NumberInput):
                    decimal = isinstance(field, forms.FloatField | forms.DecimalField)
                    field.widget = forms.TextInput(
                        attrs={
                            **{
                                k: v
                                for k, v in field.widget.attrs.items()
                                if k not in ("step", "min", "max")
                            },
                            "inputmode": "decimal" if decimal else "numeric",
                        }
                    )
                    field.widget.is_localized = True

    def clean(self) -> dict[str, Any]:
        # Django's forms return their cleaned data here (the stubs allow None, which a
        # subclass's clean may return to keep cleaned_data as it is).
        cleaned = super().clean()
        return self.cleaned_data if cleaned is None else cleaned

    def files_to_choose_again(self) -> dict[str, str]:
        """Uploads that a form with errors cannot keep: field name → the chosen file's name.

        A browser never fills in a file field again when a page is shown anew, so a form that
        comes back with an error says which file must be chosen again rather than losing it
        without a word.
        """
        if not getattr(self, "is_bound", False) or not self.errors:
            return {}
        files = getattr(self, "files", None) or {}
        return {
            name: files[name].name
            for name, field in self.fields.items()
            if isinstance(field, forms.FileField) and files.get(name) and name not in self.errors
        }


class ModelForm(CleanTextMixin, _ModelFormBase):
    """The project's model form: Django's, with clean text."""


class Form(CleanTextMixin, forms.Form):
    """The project's plain form: Django's, with clean text."""


class VersionedModelForm(CleanTextMixin, _ModelFormBase):
    """A model form that refuses to overwrite someone else's newer change."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def save_checked(self) -> Any:
        """Save, or add a form error and return None if the object changed meanwhile."""
        instance = self.save(commit=False)
        try:
            save_versioned(instance, self.cleaned_data.get("version"))
        except EditConflict:
            self.add_error(None, EditConflict.message)
            return None
        self.save_m2m()
        return instance


def check_upload(upload: Any) -> Any:
    """Accept office documents and images up to MAX_UPLOAD_MB; say what is allowed if not."""
    if not upload:
        return upload
    suffix = Path(upload.name).suffix.lower()
    if suffix not in ALLOWED_UPLOADS:
        raise forms.ValidationError(
            _("Filtypen %(suffix)s tas inte emot. Tillåtna typer: %(allowed)s."),
            params={"suffix": suffix or "?", "allowed": ", ".join(sorted(ALLOWED_UPLOADS))},
        )
    if upload.size > settings.MAX_UPLOAD_MB * 1024 * 1024:
        raise forms.ValidationError(
            _("Filen är för stor (högst %(mb)s MB)."), params={"mb": settings.MAX_UPLOAD_MB}
        )
    return upload


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PartnershipOwnedForm(VersionedModelForm):
    """A versioned form for an object that belongs to a partnership.

    The view passes the partnership (already fetched through accounts.access); the form
    scopes its choices to it and sets it on the new object, so no posted id can move an
    object into another partnership.
    """

    def __init__(self, *args: Any, partnership: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership

    def save(self, commit: bool = True) -> Any:
        obj = super().save(commit=False)
        if getattr(obj, "partnership_id", None) is None:
            obj.partnership = self.partnership
        if commit:
            obj.save()
            self.save_m2m()
        return obj
