"""Helpers for the many small create/edit pages, so each view only says what differs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise

from samverkan.lib import htmx
from samverkan.lib.forms import VersionedModelForm


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    title: str | Promise,
    success_url: str | Callable[[Any], str],
    success_message: str | Promise,
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
        else:
            saved = form.save()
        if saved is not None:
            messages.success(request, success_message)
            url = success_url(saved) if callable(success_url) else success_url
            return htmx.redirect(request, url)
    status = 400 if request.method == "POST" else 200
    ctx = {"form": form, "title": title, **(context or {})}
    return render(request, template, ctx, status=status)
