"""Modules and URLconfs loaded on first use (samverkan.lib.lazy, samverkan.lib.lazy_urls)."""

from __future__ import annotations

import sys

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import clear_url_caches, path, resolve, reverse

from samverkan.lib.lazy import lazy
from samverkan.lib.lazy_urls import lazy_include

TARGET = "tests.lib.lazy_target_urls"


def page(request):
    return HttpResponse("page")


page.access = "public"  # type: ignore[attr-defined]
urlpatterns = [
    path("page/", page, name="page"),
    lazy_include("later/", TARGET, namespace="later"),
]


def test_a_lazy_module_imports_on_its_first_attribute_and_keeps_what_it_read(monkeypatch):
    import importlib

    imported = []
    real = importlib.import_module

    def counted(name):
        imported.append(name)
        return real(name)

    monkeypatch.setattr(importlib, "import_module", counted)
    stand_in = lazy("json")
    assert imported == [] and "not loaded yet" in repr(stand_in)
    assert stand_in.dumps([1]) == "[1]"
    assert stand_in.loads("2") == 2
    assert imported == ["json"]  # once, however many attributes are read
    assert stand_in.dumps is real("json").dumps
    assert "loaded" in repr(stand_in) and "not" not in repr(stand_in)
    with pytest.raises(AttributeError):
        stand_in.dumps = None
    with pytest.raises(AttributeError):
        stand_in.no_such_attribute  # noqa: B018


@pytest.fixture
def fresh_urls():
    """This module as the URLconf, with the lazily included one not imported yet."""
    sys.modules.pop(TARGET, None)
    urlpatterns[-1] = lazy_include("later/", TARGET, namespace="later")  # keeps no import
    clear_url_caches()
    with override_settings(ROOT_URLCONF=__name__):
        yield
    clear_url_caches()


def test_other_pages_resolve_and_reverse_without_importing_it(fresh_urls):
    assert reverse("page") == "/page/"
    assert resolve("/page/").url_name == "page"
    assert Client().get("/nowhere/").status_code == 404
    assert TARGET not in sys.modules


def test_reversing_one_of_its_names_imports_it(fresh_urls):
    assert reverse("later:hello") == "/later/hello/"
    assert TARGET in sys.modules


def test_a_request_to_it_imports_it_and_is_answered(fresh_urls):
    response = Client().get("/later/hello/")
    assert response.status_code == 200 and response.content == b"hello"
    assert resolve("/later/hello/").namespace == "later"


def test_the_url_checks_look_inside_it(fresh_urls):
    from django.core.checks.urls import check_url_config

    assert check_url_config(None) == []
    assert TARGET in sys.modules
