"""Step 1 pages. Views coordinate; rules live in models, forms, services and accounts.access."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from samverkan.accounts import access
from samverkan.accounts import membership as membership_rules
from samverkan.accounts.choices import Role
from samverkan.accounts.decorators import AuthenticatedRequest, partnership_view, user_view
from samverkan.accounts.models import Invitation, Membership
from samverkan.implementation.models import ActionItem
from samverkan.jobs.registry import enqueue
from samverkan.lib import htmx
from samverkan.lib.views import form_page
from samverkan.partnerships import forms, services
from samverkan.partnerships import history as history_words
from samverkan.partnerships.models import (
    Coordinator,
    Decision,
    Group,
    GroupMember,
    Meeting,
    Milestone,
    Partnership,
    Party,
)


def _url(name: str, partnership: Partnership, **kwargs: int) -> str:
    return reverse(f"partnerships:{name}", kwargs={"pk": partnership.pk, **kwargs})


def _ctx(request: HttpRequest, partnership: Partnership, section: str) -> dict:
    return {
        "partnership": partnership,
        "section": section,
        "can_edit": access.can_edit(request.user, partnership),
        "can_manage": access.can_manage(request.user, partnership),
    }


# ---- partnerships ---------------------------------------------------------------------------


@user_view()
def partnership_list(request: HttpRequest) -> HttpResponse:
    # Counted in a subquery: a count over the membership-filtered join would see only the
    # user's own party.
    all_parties = (
        Party.objects.filter(partnership=OuterRef("pk"))
        .order_by()
        .values("partnership")
        .annotate(n=Count("pk"))
        .values("n")
    )
    partnerships = (
        access.partnerships_for(request.user)
        .select_related("municipality", "police_area")
        .annotate(party_count=Subquery(all_parties, output_field=IntegerField()))
    )
    reporter_only = access.reporter_only_partnership_ids(request.user)
    invitations = membership_rules.invitations_for(request.user)
    ids = [p.pk for p in partnerships]
    if len(ids) == 1 and ids[0] in reporter_only and not invitations:
        # A field reporter of one partnership has one thing to do here: report (on a phone,
        # one tap less).
        return redirect("fieldwork:new", pk=ids[0])
    return render(
        request,
        "partnerships/list.html",
        {
            "partnerships": partnerships,
            # A field reporter's way into a partnership is the report form (fieldwork).
            "reporter_only": reporter_only,
            "may_create": services.may_create_partnership(request.user),
            "invitations": invitations,
        },
    )


@user_view(methods=("GET", "POST"))
def partnership_create(request: AuthenticatedRequest) -> HttpResponse:
    if not services.may_create_partnership(request.user):
        raise PermissionDenied(
            _(
                "Ditt konto får inte starta nya samverkan. Be den som driver Samverkan om "
                "behörigheten (manage.py grant_create_partnership)."
            )
        )
    form = forms.PartnershipCreateForm(request.POST or None)

    def save(form: forms.PartnershipCreateForm) -> Partnership:
        return services.create_partnership(
            form.save(commit=False),
            form.municipality,
            form.police_area,
            request.user,
            form.cleaned_data["my_side"],
        )

    return form_page(
        request,
        form,
        title=_("Ny samverkan"),
        save=save,
        success_url=lambda p: reverse("process:dashboard", kwargs={"pk": p.pk}),
        success_message=_("Samverkan är skapad. Nästa steg: parter, samordnare och grupper."),
    )


@partnership_view("edit", methods=("GET", "POST"))
def partnership_edit(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    form = forms.PartnershipForm(request.POST or None, instance=partnership, user=request.user)
    return form_page(
        request,
        form,
        title=_("Ändra uppgifter om samverkan"),
        success_url=reverse("process:dashboard", kwargs={"pk": partnership.pk}),
        success_message=_("Uppgifterna är sparade."),
        context=_ctx(request, partnership, "overview"),
    )


# ---- parties and coordinators ----------------------------------------------------------------


@partnership_view()
def party_list(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    parties = partnership.parties.select_related("organisation", "coordinator").annotate(
        member_count=Count("memberships")
    )
    return render(
        request,
        "partnerships/parties.html",
        {
            **_ctx(request, partnership, "parties"),
            "parties": parties,
            # A party is changed by its own leaders (accounts.membership.may_edit_party).
            "editable_parties": membership_rules.editable_party_ids(request.user, partnership),
        },
    )


def _party_to_edit(request: HttpRequest, partnership: Partnership, party_id: int) -> Party:
    """The party, if the user may change it: its own leaders only (a party governs itself)."""
    party = access.scoped(Party.objects.select_related("organisation"), partnership, party_id)
    if not membership_rules.may_edit_party(request.user, party):
        raise PermissionDenied(
            _(
                "Bara %(party)s egna administratörer och samordnare kan ändra partens uppgifter "
                "och samordnare."
            )
            % {"party": party}
        )
    return party


@partnership_view("edit", methods=("GET", "POST"))
def party_create(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    form = forms.PartyForm(request.POST or None, partnership=partnership)
    return form_page(
        request,
        form,
        title=_("Lägg till part"),
        success_url=_url("parties", partnership),
        success_message=_("Parten är tillagd."),
        context=_ctx(request, partnership, "parties"),
    )


@partnership_view("lead", methods=("GET", "POST"))
def party_edit(request: HttpRequest, partnership: Partnership, party_id: int) -> HttpResponse:
    party = _party_to_edit(request, partnership, party_id)
    form = forms.PartyForm(request.POST or None, instance=party, partnership=partnership)
    return form_page(
        request,
        form,
        title=_("Ändra part: %(name)s") % {"name": party},
        success_url=_url("parties", partnership),
        success_message=_("Parten är sparad."),
        context=_ctx(request, partnership, "parties"),
    )


@partnership_view("lead", methods=("GET", "POST"))
def coordinator_edit(request: HttpRequest, partnership: Partnership, party_id: int) -> HttpResponse:
    party = _party_to_edit(request, partnership, party_id)
    coordinator = party.coordinator_or_none() or Coordinator(party=party)
    initial: dict[str, str] = {}
    if coordinator.pk is None and access.may_see_private(request.user, party):
        # A new coordinator is most often the person filling in the form, for their own party.
        user = request.user
        initial = {"name": user.get_full_name(), "email": user.email}
    form = forms.CoordinatorForm(request.POST or None, instance=coordinator, initial=initial)
    return form_page(
        request,
        form,
        title=_("Samordnare för %(name)s") % {"name": party},
        success_url=_url("parties", partnership),
        success_message=_("Samordnaren är sparad."),
        context=_ctx(request, partnership, "parties"),
    )


# ---- groups -----------------------------------------------------------------------------------


@partnership_view()
def group_list(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    groups = partnership.groups.prefetch_related(
        Prefetch("members", queryset=GroupMember.objects.select_related("party__organisation"))
    )
    return render(
        request,
        "partnerships/groups.html",
        {**_ctx(request, partnership, "groups"), "groups": groups},
    )


@partnership_view("edit", methods=("GET", "POST"))
def group_create(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    form = forms.GroupForm(request.POST or None, partnership=partnership)
    return form_page(
        request,
        form,
        title=_("Ny grupp"),
        success_url=lambda g: _url("group_detail", partnership, group_id=g.pk),
        success_message=_("Gruppen är skapad. Lägg till ledamöter."),
        context=_ctx(request, partnership, "groups"),
    )


@partnership_view()
def group_detail(request: HttpRequest, partnership: Partnership, group_id: int) -> HttpResponse:
    group = access.scoped(Group.objects.all(), partnership, group_id)
    members = group.members.select_related("party__organisation")
    return render(
        request,
        "partnerships/group_detail.html",
        {
            **_ctx(request, partnership, "groups"),
            "group": group,
            "members": members,
            "meetings": group.meetings.all()[:10],
            "member_form": forms.GroupMemberForm(group=group),
        },
    )


@partnership_view("edit", methods=("GET", "POST"))
def group_edit(request: HttpRequest, partnership: Partnership, group_id: int) -> HttpResponse:
    group = access.scoped(Group.objects.all(), partnership, group_id)
    form = forms.GroupForm(request.POST or None, instance=group, partnership=partnership)
    return form_page(
        request,
        form,
        title=_("Ändra grupp: %(name)s") % {"name": group},
        success_url=_url("group_detail", partnership, group_id=group.pk),
        success_message=_("Gruppen är sparad."),
        context=_ctx(request, partnership, "groups"),
    )


@partnership_view("edit", methods=("GET", "POST"))
def group_member_add(request: HttpRequest, partnership: Partnership, group_id: int) -> HttpResponse:
    group = access.scoped(Group.objects.all(), partnership, group_id)
    form = forms.GroupMemberForm(request.POST or None, group=group)
    return form_page(
        request,
        form,
        title=_("Ny ledamot i %(name)s") % {"name": group},
        success_url=_url("group_detail", partnership, group_id=group.pk),
        success_message=_("Ledamoten är tillagd."),
        context=_ctx(request, partnership, "groups"),
    )


def _group_member(
    partnership: Partnership, group_id: int, group_member_id: int
) -> tuple[Group, GroupMember]:
    """A group of the partnership and one of its members, or 404."""
    group = access.scoped(Group.objects.all(), partnership, group_id)
    member = group.members.filter(pk=group_member_id).first()
    if member is None:
        raise Http404
    return group, member


@partnership_view("edit", methods=("GET", "POST"))
def group_member_edit(
    request: HttpRequest, partnership: Partnership, group_id: int, group_member_id: int
) -> HttpResponse:
    """Change a member's title, party or chair without removing and adding them again."""
    group, member = _group_member(partnership, group_id, group_member_id)
    form = forms.GroupMemberForm(request.POST or None, instance=member, group=group)
    return form_page(
        request,
        form,
        title=_("Ändra ledamot i %(name)s") % {"name": group},
        success_url=_url("group_detail", partnership, group_id=group.pk),
        success_message=_("Ledamoten är sparad."),
        context=_ctx(request, partnership, "groups"),
    )


@partnership_view("edit", methods=("POST",))
def group_member_remove(
    request: HttpRequest, partnership: Partnership, group_id: int, group_member_id: int
) -> HttpResponse:
    group, member = _group_member(partnership, group_id, group_member_id)
    member.delete()
    messages.success(request, _("%(name)s är borttagen ur gruppen.") % {"name": member.name})
    return htmx.redirect(request, _url("group_detail", partnership, group_id=group.pk))


# ---- decisions --------------------------------------------------------------------------------


@partnership_view()
def decision_list(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    return render(
        request,
        "partnerships/decisions.html",
        {**_ctx(request, partnership, "decisions"), "decisions": partnership.decisions.all()},
    )


@partnership_view("edit", methods=("GET", "POST"))
def decision_create(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    form = forms.DecisionForm(request.POST or None, request.FILES or None, partnership=partnership)
    return form_page(
        request,
        form,
        title=_("Nytt beslut"),
        success_url=lambda d: _url("decision_detail", partnership, decision_id=d.pk),
        success_message=_("Beslutet är registrerat."),
        context=_ctx(request, partnership, "decisions"),
    )


@partnership_view()
def decision_detail(
    request: HttpRequest, partnership: Partnership, decision_id: int
) -> HttpResponse:
    decision = access.scoped(Decision.objects.select_related("meeting"), partnership, decision_id)
    return render(
        request,
        "partnerships/decision_detail.html",
        {**_ctx(request, partnership, "decisions"), "decision": decision},
    )


@partnership_view("edit", methods=("GET", "POST"))
def decision_edit(request: HttpRequest, partnership: Partnership, decision_id: int) -> HttpResponse:
    decision = access.scoped(Decision.objects.all(), partnership, decision_id)
    form = forms.DecisionForm(
        request.POST or None, request.FILES or None, instance=decision, partnership=partnership
    )
    return form_page(
        request,
        form,
        title=_("Ändra beslut"),
        success_url=_url("decision_detail", partnership, decision_id=decision.pk),
        success_message=_("Beslutet är sparat."),
        context=_ctx(request, partnership, "decisions"),
    )


@partnership_view()
def decision_attachment(
    request: HttpRequest, partnership: Partnership, decision_id: int
) -> FileResponse:
    decision = access.scoped(Decision.objects.all(), partnership, decision_id)
    if not decision.attachment:
        raise Http404("Beslutet har ingen bifogad fil")
    return FileResponse(decision.attachment.open("rb"), as_attachment=True)


# ---- meetings ---------------------------------------------------------------------------------


@partnership_view()
def meeting_list(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    meetings = partnership.meetings.select_related("group")
    return render(
        request,
        "partnerships/meetings.html",
        {**_ctx(request, partnership, "meetings"), "meetings": meetings},
    )


@partnership_view("edit", methods=("GET", "POST"))
def meeting_create(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    if not partnership.groups.exists():
        messages.info(request, _("Skapa en grupp först: varje möte hör till en grupp."))
        return redirect(_url("group_create", partnership))
    form = forms.MeetingForm(request.POST or None, partnership=partnership)
    return form_page(
        request,
        form,
        title=_("Nytt möte"),
        success_url=lambda m: _url("meeting_detail", partnership, meeting_id=m.pk),
        success_message=_("Mötet är inlagt."),
        context=_ctx(request, partnership, "meetings"),
    )


@partnership_view()
def meeting_detail(request: HttpRequest, partnership: Partnership, meeting_id: int) -> HttpResponse:
    meeting = access.scoped(Meeting.objects.select_related("group"), partnership, meeting_id)
    return render(
        request,
        "partnerships/meeting_detail.html",
        {
            **_ctx(request, partnership, "meetings"),
            "meeting": meeting,
            "attendees": meeting.attendees.select_related("party__organisation"),
            "decisions": meeting.decisions.all(),
            # A task tied to a confidential measure is shown only to those who may see it.
            "action_items": ActionItem.objects.visible_to(request.user)
            .filter(meeting=meeting)
            .select_related("measure"),
        },
    )


@partnership_view("edit", methods=("GET", "POST"))
def meeting_edit(request: HttpRequest, partnership: Partnership, meeting_id: int) -> HttpResponse:
    meeting = access.scoped(Meeting.objects.all(), partnership, meeting_id)
    form = forms.MeetingForm(request.POST or None, instance=meeting, partnership=partnership)
    return form_page(
        request,
        form,
        title=_("Ändra möte"),
        success_url=_url("meeting_detail", partnership, meeting_id=meeting.pk),
        success_message=_("Mötet är sparat."),
        context=_ctx(request, partnership, "meetings"),
    )


@partnership_view("edit", methods=("GET", "POST"))
def meeting_minutes(
    request: HttpRequest, partnership: Partnership, meeting_id: int
) -> HttpResponse:
    meeting = access.scoped(Meeting.objects.select_related("group"), partnership, meeting_id)
    form = forms.MinutesForm(request.POST or None, instance=meeting)
    if form.is_draft():
        return form_page(
            request,
            form,
            title=_("Utkast till protokoll: %(meeting)s") % {"meeting": meeting},
            save=lambda f: f.save_draft(),
            success_url=_url("meeting_detail", partnership, meeting_id=meeting.pk),
            success_message=form.too_early_message(),
            context=_ctx(request, partnership, "meetings"),
        )
    return form_page(
        request,
        form,
        title=_("Protokoll: %(meeting)s") % {"meeting": meeting},
        success_url=_url("meeting_detail", partnership, meeting_id=meeting.pk),
        success_message=_("Protokollet är sparat."),
        context=_ctx(request, partnership, "meetings"),
    )


# ---- planning calendar ------------------------------------------------------------------------


@partnership_view()
def calendar(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    from django.utils import timezone

    return render(
        request,
        "partnerships/calendar.html",
        {
            **_ctx(request, partnership, "calendar"),
            "milestones": partnership.milestones.all(),
            "budget_form": forms.BudgetYearForm(initial={"year": timezone.localdate().year + 1}),
        },
    )


@partnership_view("edit", methods=("GET", "POST"))
def milestone_create(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    form = forms.MilestoneForm(request.POST or None, partnership=partnership)
    return form_page(
        request,
        form,
        title=_("Ny milstolpe"),
        success_url=_url("calendar", partnership),
        success_message=_("Milstolpen är inlagd."),
        context=_ctx(request, partnership, "calendar"),
    )


@partnership_view("edit", methods=("GET", "POST"))
def milestone_edit(
    request: HttpRequest, partnership: Partnership, milestone_id: int
) -> HttpResponse:
    milestone = access.scoped(Milestone.objects.all(), partnership, milestone_id)
    form = forms.MilestoneForm(request.POST or None, instance=milestone, partnership=partnership)
    return form_page(
        request,
        form,
        title=_("Ändra milstolpe"),
        success_url=_url("calendar", partnership),
        success_message=_("Milstolpen är sparad."),
        context=_ctx(request, partnership, "calendar"),
    )


@partnership_view("edit", methods=("POST",))
def budget_process_add(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    form = forms.BudgetYearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ange ett budgetår mellan 2000 och 2100."))
    else:
        created = services.add_budget_process(partnership, form.cleaned_data["year"])
        messages.success(
            request, _("%(n)s datum från budgetprocessen lades till.") % {"n": len(created)}
        )
    return htmx.redirect(request, _url("calendar", partnership))


# ---- members ----------------------------------------------------------------------------------


@partnership_view()
def member_list(request: AuthenticatedRequest, partnership: Partnership) -> HttpResponse:
    member_rows = Membership.objects.filter(party__partnership=partnership).select_related(
        "user", "party__organisation"
    )
    inviting = membership_rules.inviting_parties(request.user, partnership)
    invitations = membership_rules.open_invitations(partnership).filter(party__in=inviting)
    # Each party's members are changed by that party's leaders only: the buttons show where
    # the user may use them (the rules are enforced again in accounts.membership).
    led: dict[int, set[str]] = {}
    for party_id, role in Membership.objects.filter(
        user=request.user, party__partnership=partnership, role__in=membership_rules.LEADER_ROLES
    ).values_list("party_id", "role"):
        led.setdefault(party_id, set()).add(role)
    # Each row carries its own answer for the template (may_change), hence Any.
    memberships: list[Any] = list(member_rows)
    for m in memberships:
        m.may_change = membership_rules.may_change_membership(
            request.user, m, led.get(m.party_id, set())
        )
    leaders = {m.party_id for m in memberships if m.role in membership_rules.LEADER_ROLES}
    without_leader = [
        party
        for party in partnership.parties.filter(has_had_leader=True).select_related("organisation")
        if party.pk not in leaders
    ]
    return render(
        request,
        "partnerships/members.html",
        {
            **_ctx(request, partnership, "members"),
            "memberships": memberships,
            "may_change_any": any(m.may_change for m in memberships),
            "without_leader": without_leader,
            "may_invite": inviting.exists(),
            "invitations": invitations,
        },
    )


@partnership_view("edit", methods=("GET", "POST"))
def member_add(request: AuthenticatedRequest, partnership: Partnership) -> HttpResponse:
    """Invite a person into one of the user's own parties (never another party's)."""
    if not membership_rules.inviting_parties(request.user, partnership).exists():
        raise PermissionDenied(
            _("Bara en parts administratörer och samordnare kan bjuda in till parten.")
        )
    form = forms.InvitationForm(request.POST or None, partnership=partnership, inviter=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, token = form.save()
        except ValidationError as exc:
            form.add_error("role", exc)
        else:
            link = request.build_absolute_uri(
                reverse("accounts:invitation_link", kwargs={"token": token})
            )
            mailed = membership_rules.mail_link(invitation, link) if invitation.email else None
            # One answer for every name: it never says whether an account already exists.
            return render(
                request,
                "partnerships/invitation_created.html",
                {
                    **_ctx(request, partnership, "members"),
                    "invitation": invitation,
                    "link": link,
                    "mailed": mailed,
                },
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "form.html",
        {**_ctx(request, partnership, "members"), "form": form, "title": _("Bjud in medlem")},
        status=status,
    )


@partnership_view("edit", methods=("POST",))
def invitation_revoke(
    request: HttpRequest, partnership: Partnership, invitation_id: int
) -> HttpResponse:
    invitation = access.scoped(Invitation.objects.all(), partnership, invitation_id)
    try:
        membership_rules.revoke(invitation, request.user)
    except membership_rules.MembershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Inbjudan till %(name)s är återkallad.") % {"name": invitation.username}
        )
    return htmx.redirect(request, _url("members", partnership))


def _membership_to_change(
    request: HttpRequest, partnership: Partnership, membership_id: int
) -> tuple[Membership, set[str], bool]:
    """The membership, the leading roles the user holds in its party, and whether the user
    acts as a superuser from outside the party (then a reason is asked for). Anyone else who
    does not lead the member's party gets 403: a party governs itself."""
    membership = access.scoped(
        Membership.objects.select_related("user", "party__organisation"),
        partnership,
        membership_id,
    )
    led = membership_rules.leader_roles_in(request.user, membership.party)
    if membership_rules.may_change_membership(request.user, membership, led):
        return membership, led, False
    if request.user.is_superuser and not led:
        return membership, led, True
    if led:
        raise PermissionDenied(
            _("En samordnare kan inte ändra en administratörs roll. Be en administratör i parten.")
        )
    raise PermissionDenied(
        _(
            "Bara %(party)s egna administratörer och samordnare kan ändra roller i parten eller "
            "ta bort dess medlemmar."
        )
        % {"party": membership.party}
    )


@partnership_view("lead", methods=("GET", "POST"))
def member_edit(request: HttpRequest, partnership: Partnership, membership_id: int) -> HttpResponse:
    """Change a member's role in place, by a leader of the member's own party (the last
    administrator keeps theirs; nobody outside the party takes away its last leader)."""
    membership, led, as_superuser = _membership_to_change(request, partnership, membership_id)
    # A coordinator offers every role but administrator (as when inviting).
    roles = (
        None
        if (Role.ADMIN in led or as_superuser)
        else [value for value in Role.values if value != Role.ADMIN]
    )
    form = forms.MembershipRoleForm(
        request.POST or None,
        initial={"role": membership.role},
        roles=roles,
        ask_reason=as_superuser,
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = membership_rules.change_role(
                partnership,
                membership.pk,
                form.cleaned_data["role"],
                actor=request.user,
                reason=form.cleaned_data.get("reason", ""),
            )
        except membership_rules.NotPartyLeader as exc:
            raise PermissionDenied(str(exc)) from exc
        except membership_rules.MembershipError as exc:
            form.add_error("role", str(exc))
        else:
            messages.success(
                request,
                _("%(user)s är nu %(role)s i %(party)s.")
                % {
                    "user": changed.user,
                    "role": changed.get_role_display().lower(),
                    "party": changed.party,
                },
            )
            return htmx.redirect(request, _url("members", partnership))
    return render(
        request,
        "form.html",
        {
            **_ctx(request, partnership, "members"),
            "form": form,
            "title": _("Ändra roll för %(user)s i %(party)s")
            % {
                "user": membership.user.get_full_name() or membership.user.username,
                "party": membership.party,
            },
        },
        status=400 if request.method == "POST" else 200,
    )


@partnership_view("lead", methods=("GET", "POST"))
def member_remove(
    request: HttpRequest, partnership: Partnership, membership_id: int
) -> HttpResponse:
    """Remove a member, by a leader of the member's own party. A superuser outside the party
    sends a reason (``reason``), which the history keeps. Whoever does not lead the party is
    refused (403) whatever the method; the party's leaders get 405 for a GET."""
    membership, _led, _as_superuser = _membership_to_change(request, partnership, membership_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    reason = str(request.POST.get("reason", ""))[:1000]
    try:
        removed = membership_rules.remove_member(
            partnership, membership.pk, actor=request.user, reason=reason
        )
    except Membership.DoesNotExist as exc:
        raise Http404("Medlemskapet finns inte i denna samverkan") from exc
    except membership_rules.NotPartyLeader as exc:
        raise PermissionDenied(str(exc)) from exc
    except membership_rules.MembershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(user)s är inte längre medlem.") % {"user": removed.user})
    return htmx.redirect(request, _url("members", partnership))


# ---- history and export -----------------------------------------------------------------------


@partnership_view()
def history(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    entries = access.history_for(request.user, partnership)
    model = request.GET.get("model", "")
    object_id = request.GET.get("object", "")
    if model and object_id:
        entries = entries.filter(model_label=model, object_id=object_id)
    # A confidential item, or anything derived from one: say that it changed, not what it says.
    shown = access.mask_history(request.user, partnership, entries.select_related("user")[:300])
    shown = history_words.readable(request.user, partnership, shown)
    return render(
        request,
        "partnerships/history.html",
        {
            **_ctx(request, partnership, "history"),
            "entries": shown,
            "filtered": bool(model and object_id),
        },
    )


@partnership_view("edit", methods=("POST",))
def export_start(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    job = enqueue("partnerships.export", partnership=partnership, user=request.user)
    return htmx.redirect(
        request, reverse("jobs:detail", kwargs={"pk": partnership.pk, "job_id": job.pk})
    )
