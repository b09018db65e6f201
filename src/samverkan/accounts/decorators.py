"""View decorators that apply the access rules of ``accounts.access`` to every view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from samverkan.accounts.access import get_partnership_for

if TYPE_CHECKING:
    from samverkan.accounts.models import User

View = Callable[..., HttpResponse]


class AuthenticatedRequest(HttpRequest):
    """The request a view behind these decorators gets: its user has signed in."""

    user: User


def partnership_view(action: str = "view", methods: tuple[str, ...] = ("GET",)) -> Callable:
    """Wrap a view that works on one partnership, given as ``pk`` in the URL.

    The partnership is fetched through the access module (outsider 404, missing right 403)
    before the method is even looked at, and passed to the view as its second argument.
    ``action`` is kept on the view so the access test can check every URL pattern.
    """

    def decorate(func: View) -> View:
        @wraps(func)
        def wrapper(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
            partnership = get_partnership_for(request.user, pk, action=action)
            return require_http_methods(list(methods))(
                lambda req, **kw: func(req, partnership, **kw)
            )(request, **kwargs)

        guarded = login_required(wrapper)
        # The access rule rides on the view for the URL access test; mypy knows no
        # attributes on a function.
        guarded.access = action  # type: ignore[attr-defined]
        return guarded

    return decorate


def user_view(methods: tuple[str, ...] = ("GET",)) -> Callable:
    """A logged-in page that is not tied to one partnership (its queries scope themselves)."""

    def decorate(func: View) -> View:
        guarded = login_required(require_http_methods(list(methods))(func))
        # The access rule rides on the view for the URL access test; mypy knows no
        # attributes on a function.
        guarded.access = "user"  # type: ignore[attr-defined]
        return guarded

    return decorate


def party_view(action: str = "view", methods: tuple[str, ...] = ("GET",)) -> Callable:
    """Wrap a view on one party's private material (step 2), given as ``party_id``.

    Only members of that party get through: everyone else, members of the other parties
    included, gets 404, so a party's material stays its own until it chooses to share it.
    ``action`` "view" lets every member of the party read; "edit" needs an editing role.
    The view receives ``(request, partnership, party, **kwargs)``.
    """
    from samverkan.accounts.access import can_edit, may_see_private, scoped
    from samverkan.partnerships.models import Party

    def decorate(func: View) -> View:
        @wraps(func)
        def wrapper(request: HttpRequest, pk: int, party_id: int, **kwargs: Any) -> HttpResponse:
            partnership = get_partnership_for(request.user, pk)
            party = scoped(Party.objects.select_related("organisation"), partnership, party_id)
            if not may_see_private(request.user, party):
                raise Http404("Partens eget material visas bara för partens medlemmar")
            if action == "edit" and not can_edit(request.user, partnership):
                raise PermissionDenied("Din roll ger inte rätt att ändra.")
            return require_http_methods(list(methods))(
                lambda req, **kw: func(req, partnership, party, **kw)
            )(request, **kwargs)

        guarded = login_required(wrapper)
        # The access rule rides on the view for the URL access test; mypy knows no
        # attributes on a function.
        guarded.access = f"party_{action}"  # type: ignore[attr-defined]
        return guarded

    return decorate


def job_view(methods: tuple[str, ...] = ("GET",)) -> Callable:
    """Wrap a view on one background job of a partnership, given as ``job_id``.

    A job's page and file belong to whoever started it and to those who may see its subject
    (``access.may_see_job``); everyone else, other members included, gets 404.
    The view receives ``(request, partnership, job, **kwargs)``.
    """
    from samverkan.accounts.access import may_see_job, scoped
    from samverkan.jobs.models import Job

    def decorate(func: View) -> View:
        @wraps(func)
        def wrapper(request: HttpRequest, pk: int, job_id: int, **kwargs: Any) -> HttpResponse:
            partnership = get_partnership_for(request.user, pk)
            job = scoped(Job.objects.all(), partnership, job_id)
            if not may_see_job(request.user, job):
                raise Http404("Jobbet finns inte i denna samverkan")
            return require_http_methods(list(methods))(
                lambda req, **kw: func(req, partnership, job, **kw)
            )(request, **kwargs)

        guarded = login_required(wrapper)
        # The access rule rides on the view for the URL access test; mypy knows no
        # attributes on a function.
        guarded.access = "job"  # type: ignore[attr-defined]
        return guarded

    return decorate
