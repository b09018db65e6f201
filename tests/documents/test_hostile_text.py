"""Editors cannot break documents for everyone: formula markup in chart labels and control
characters in text fields (issue 11, "Sign-in and membership")."""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil

import docx
import pytest
from django import forms
from django.urls import reverse

import samverkan
from samverkan.accounts.models import User
from samverkan.documents import charts, data, services
from samverkan.followup.models import EffectEvaluation
from samverkan.lib.forms import CleanTextMixin
from samverkan.lib.text import strip_control
from samverkan.partnerships.models import Partnership
from tests.downloads import body, get_document

FORMULA = "$\\frac{$"


def test_strip_control_keeps_newlines_and_tabs_only():
    assert strip_control("a\x00b\x01c\x0bd\x1fe\x7ff\x85g") == "abcdefg"
    assert strip_control("rad 1\r\nrad 2\rrad 3\n\tindrag") == "rad 1\nrad 2\nrad 3\n\tindrag"
    assert strip_control("Åtgärd – ”citat” € 😀") == "Åtgärd – ”citat” € 😀"


def test_formula_markup_in_chart_labels_is_drawn_as_text():
    chart = charts.bar_chart(
        [FORMULA, "kostnad $5 och $6", "styr\x01tecken"],
        [3, 7, 9],
        caption="Test",
        source="Källa: test",
        axis_label="Antal $\\sqrt{",
        unit="$",
    )
    assert "frac" in chart.svg and "\\$" not in chart.svg
    assert "\x01" not in chart.svg
    assert chart.png.startswith(b"\x89PNG")


def _hostile_followup(demo):
    evaluation = EffectEvaluation.objects.filter(partnership=demo).first()
    # Counts of at least five, so that the public edition draws the chart with these labels.
    EffectEvaluation.objects.filter(pk=evaluation.pk).update(
        treated_area=FORMULA,
        control_area="kontroll $x",
        period_before="före\x02",
        treated_before=40,
        treated_after=20,
        control_before=30,
        control_after=31,
    )


@pytest.mark.slow(reason="prints real PDF and Word files and reads them back")
def test_public_followup_with_formula_in_labels_renders_in_every_format(client, demo):
    _hostile_followup(demo)
    client.force_login(User.objects.get(username="demo.kommun"))
    args = {"pk": demo.pk, "kind": "followup", "edition": "public"}
    page = client.get(reverse("documents:preview", kwargs=args))
    assert page.status_code == 200
    assert FORMULA in page.content.decode()
    for fmt in ("pdf", "docx"):
        response = get_document(client, reverse("documents:download", kwargs={**args, "fmt": fmt}))
        assert response.status_code == 200, fmt
        assert body(response)


def test_control_characters_in_the_purpose_are_stripped_by_the_form(client, world):
    client.force_login(world.alice)
    partnership = world.ours.partnership
    client.post(
        reverse("partnerships:edit", kwargs={"pk": partnership.pk}),
        {
            "name": "Namn\x00 med nolla",
            "purpose": "Syfte\x01 med\x0b styrtecken\r\nnästa rad\tflik",
            "started_on": "2026-01-01",
            "valid_until": "2027-12-31",
            "version": partnership.version,
        },
    )
    partnership.refresh_from_db()
    assert partnership.name == "Namn med nolla"
    assert partnership.purpose == "Syfte med styrtecken\nnästa rad\tflik"


def test_agreement_docx_is_built_even_with_control_characters_in_the_data(demo):
    # Bypasses the forms, as an import or older data would.
    Partnership.objects.filter(pk=demo.pk).update(purpose="Syfte\x01\x0c med\x1b styrtecken")
    demo.refresh_from_db()
    for edition in (data.INTERNAL, data.PUBLIC):
        content = services.render_as(data.build("agreement", demo, edition), "docx")
        text = " ".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
        assert "Syfte med styrtecken" in text, edition


def test_an_all_control_character_caption_still_gives_a_word_file(demo):
    doc = data.build("followup", demo, data.INTERNAL)
    doc.subtitle = "\x01\x02"
    assert services.render_as(doc, "docx").startswith(b"PK")


def _project_forms():
    for info in pkgutil.walk_packages(samverkan.__path__, "samverkan."):
        if "migrations" in info.name or info.name.endswith(("celery", "wsgi", "asgi")):
            continue
        module = importlib.import_module(info.name)
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(obj, forms.BaseForm)
                and obj.__module__ == module.__name__
                and obj.__module__.startswith("samverkan.")
            ):
                yield obj


# Login forms store nothing, and a name is looked up as typed (see accounts.throttle).
# Sign-in forms take the user name and password exactly as typed (the link page after single
# sign-on is one: it proves the account with its password).
_EXEMPT = {"RateLimitedAuthenticationForm", "RateLimitedAdminAuthenticationForm", "LinkAccountForm"}


def test_every_form_in_the_project_strips_control_characters():
    found = {form.__name__: form for form in _project_forms()}
    assert len(found) > 30
    missing = [
        name
        for name, form in found.items()
        if name not in _EXEMPT and not issubclass(form, CleanTextMixin)
    ]
    assert not missing, f"forms without CleanTextMixin (use lib.forms.ModelForm/Form): {missing}"


def test_passwords_are_kept_exactly_as_typed(db):
    from samverkan.accounts.forms import InvitationSignupForm

    form = InvitationSignupForm(
        {
            "username": "ny\x01person",
            "password1": "lösen\x01ord-42-x",
            "password2": "lösen\x01ord-42-x",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["username"] == "nyperson"
    assert form.cleaned_data["password1"] == "lösen\x01ord-42-x"
