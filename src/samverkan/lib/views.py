"""Helpers for the many small create/edit pages, so each view only says what differs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from samverkan.lib import htmx
from samverkan.lib.forms import VersionedModelForm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    title: StrOrPromise,
    success_url: str | Callable[[Any], str],
    success_message: StrOrPromise,
    context: dict[str, Any] | None = None,
    template: str = "form.html",
    save: Callable[[Any], Any] | None = None,
) -> HttpResponse:
    """Show ``form``; on a valid POST save it (versioned where it can be) and redirect.

    Nothing is half-saved: an invalid form or an edit conflict re-renders with the user's
    input and a message next to the field (or at the top for a conflict).
    """
    if request.method == "POST" and form.is_valid():
        if save is not None:
            saved = save(form)
        elif isinstance(form, VersionedModelForm):
            saved = form.save_checked()
        elif isinstance(form, forms.BaseModelForm):
            saved = form.save()
        else:
            raise TypeError("form_page needs save= for a form that is not a model form")
        if saved is not None:
            messages.success(request, success_message)
            url = success_url(saved) if callable(success_url) else success_url
            return htmx.redirect(request, url)
    status = 400 if request.method == "POST" else 200
    ctx = {"form": form, "title": title, **(context or {})}
    return render(request, template, ctx, status=status)
