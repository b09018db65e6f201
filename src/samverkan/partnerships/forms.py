"""Forms for step 1. Every message is Swedish and says what would be right (STYLE.md 7)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from samverkan.accounts import access, membership, two_factor
from samverkan.accounts.choices import OrganisationKind, Role
from samverkan.accounts.models import Invitation, Membership, Organisation, User
from samverkan.lib.forms import (
    DateInput,
    DateTimeInput,
    Form,
    ModelForm,
    PartnershipOwnedForm,
    VersionedModelForm,
    check_upload,
)
from samverkan.lib.personal_data_forms import guard_free_text
from samverkan.lib.versioning import EditConflict, save_versioned
from samverkan.partnerships.choices import DecisionKind, GroupKind, PartyKind
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

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _organisation(name: str, kind: str, code: str = "") -> Organisation:
    """Find an organisation by name, or describe why it cannot be used as ``kind``."""
    existing = Organisation.objects.filter(name__iexact=name.strip()).first()
    if existing is None:
        return Organisation(name=name.strip(), kind=kind, code=code)
    if existing.kind != kind:
        raise forms.ValidationError(
            _("%(name)s finns redan registrerad som %(kind)s."),
            params={"name": existing.name, "kind": existing.get_kind_display().lower()},
        )
    return existing


class PartnershipCreateForm(ModelForm):
    """Start a partnership: the municipality and the police area become signing parties."""

    municipality_name = forms.CharField(label=_("Kommun"), max_length=200)
    municipality_code = forms.RegexField(
        label=_("Kommunkod"),
        regex=r"^\d{4}$",
        required=False,
        help_text=_("Fyra siffror enligt SCB, t.ex. 0180 för Stockholm."),
        error_messages={"invalid": _("Kommunkoden ska vara fyra siffror, t.ex. 0180.")},
    )
    police_area_name = forms.CharField(label=_("Lokalpolisområde"), max_length=200)
    my_side = forms.ChoiceField(
        label=_("Jag företräder"),
        choices=[("municipality", _("Kommunen")), ("police_area", _("Polisen"))],
        widget=forms.RadioSelect,
        initial="municipality",
    )

    class Meta:
        model = Partnership
        fields = ["name", "area", "forum", "purpose", "started_on", "valid_until"]
        widgets = {"started_on": DateInput(), "valid_until": DateInput()}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("municipality_name"):
            try:
                self.municipality = _organisation(
                    data["municipality_name"],
                    OrganisationKind.MUNICIPALITY,
                    data.get("municipality_code", ""),
                )
            except forms.ValidationError as exc:
                self.add_error("municipality_name", exc)
        if data.get("police_area_name"):
            try:
                self.police_area = _organisation(
                    data["police_area_name"], OrganisationKind.POLICE_AREA
                )
            except forms.ValidationError as exc:
                self.add_error("police_area_name", exc)
        _check_period(self, data)
        return data


def _check_period(form: forms.BaseForm, data: dict[str, Any]) -> None:
    start, end = data.get("started_on"), data.get("valid_until")
    if start and end and end <= start:
        form.add_error("valid_until", _("Slutdatumet måste ligga efter startdatumet."))


class PartnershipForm(VersionedModelForm):
    """The partnership's own details; whether it requires two-factor sign-in is up to its
    administrators (manage role) alone, and only one who uses it can turn it on."""

    class Meta:
        model = Partnership
        fields = [
            "name",
            "area",
            "covers_whole_municipality",
            "forum",
            "purpose",
            "started_on",
            "valid_until",
            "require_two_factor",
        ]
        widgets = {"started_on": DateInput(), "valid_until": DateInput()}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user is None or not access.can_manage(user, self.instance):
            del self.fields["require_two_factor"]

    def clean_require_two_factor(self) -> bool:
        required = bool(self.cleaned_data.get("require_two_factor"))
        if (
            required
            and not self.instance.require_two_factor
            and not two_factor.is_verified(self.user)
        ):
            # Otherwise the administrator would shut themselves out on saving.
            raise forms.ValidationError(
                _(
                    "Slå på tvåstegsverifiering för ditt eget konto först (Tvåstegsverifiering "
                    "i menyn) och logga in med kod; sedan kan du kräva det av alla medlemmar."
                )
            )
        return required

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        _check_period(self, data)
        return data


class PartyForm(PartnershipOwnedForm):
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200)
    organisation_kind = forms.ChoiceField(
        label=_("Typ av organisation"), choices=OrganisationKind.choices
    )

    class Meta:
        model = Party
        fields = ["kind", "signatory_title", "signatory_name", "contribution"]

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, partnership=partnership, **kwargs)
        if self.instance.pk:
            self.fields["organisation_name"].initial = self.instance.organisation.name
            self.fields["organisation_kind"].initial = self.instance.organisation.kind
            # The organisation of an existing party is fixed: history hangs on it.
            self.fields["organisation_name"].disabled = True
            self.fields["organisation_kind"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.instance.pk and data.get("organisation_name"):
            try:
                org = _organisation(data["organisation_name"], data["organisation_kind"])
            except forms.ValidationError as exc:
                self.add_error("organisation_name", exc)
            else:
                if org.pk and self.partnership.parties.filter(organisation=org).exists():
                    self.add_error(
                        "organisation_name", _("Organisationen är redan part i denna samverkan.")
                    )
                self.organisation = org
        if data.get("kind") == PartyKind.SIGNATORY and not data.get("signatory_title"):
            self.add_error(
                "signatory_title",
                _(
                    "Ange vem som undertecknar för en signerande part, t.ex. "
                    "kommunstyrelsens ordförande."
                ),
            )
        return data

    def save(self, commit: bool = True) -> Party:
        party = super().save(commit=False)
        if not party.pk:
            org = self.organisation
            if not org.pk:
                org.save()
            party.organisation = org
            party.partnership = self.partnership
        if commit:
            party.save()
        return party


class CoordinatorForm(VersionedModelForm):
    class Meta:
        model = Coordinator
        fields = ["name", "title", "email", "phone"]
        # A phone's keyboard for the number and the address; the browser may fill them in.
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }


class GroupForm(PartnershipOwnedForm):
    class Meta:
        model = Group
        fields = ["kind", "name", "mandate", "meeting_frequency"]

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, partnership=partnership, **kwargs)

    def clean_kind(self) -> str:
        kind = self.cleaned_data["kind"]
        others = self.partnership.groups.filter(kind=GroupKind.STEERING)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if kind == GroupKind.STEERING and others.exists():
            raise forms.ValidationError(
                _("Samverkan har redan en styrgrupp. Lägg till ledamöter i den i stället.")
            )
        return kind


class GroupMemberForm(VersionedModelForm):
    class Meta:
        model = GroupMember
        fields = ["party", "name", "title", "is_chair"]

    def __init__(self, *args: Any, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group = group
        # Signing parties first, so the preselected party is not a participant's.
        self.fields["party"].queryset = group.partnership.parties.select_related(
            "organisation"
        ).order_by("-kind", "organisation__name")
        self.fields["party"].empty_label = None

    def save(self, commit: bool = True) -> GroupMember:
        member = super().save(commit=False)
        member.group = self.group
        if commit:
            member.save()
        return member


class DecisionForm(PartnershipOwnedForm):
    class Meta:
        model = Decision
        fields = [
            "kind",
            "title",
            "body",
            "decided_on",
            "reference",
            "text",
            "attachment",
            "meeting",
        ]
        widgets = {"decided_on": DateInput()}

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, partnership=partnership, **kwargs)
        self.fields["meeting"].queryset = partnership.meetings.all()
        # The first decision of a partnership is the decision to collaborate (part 1 of the
        # agreement); offering "other" there files it where step 1 does not look for it.
        if self.instance.pk is None and partnership.collaboration_decision() is None:
            self.fields["kind"].initial = DecisionKind.COLLABORATE

    def clean_attachment(self) -> Any:
        return check_upload(self.cleaned_data.get("attachment"))


class MeetingForm(PartnershipOwnedForm):
    class Meta:
        model = Meeting
        fields = ["group", "title", "starts_at", "location", "agenda"]
        widgets = {"starts_at": DateTimeInput()}

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, partnership=partnership, **kwargs)
        self.fields["group"].queryset = partnership.groups.all()
        self.fields["group"].empty_label = None
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class MinutesForm(VersionedModelForm):
    """The minutes of a meeting; before the meeting the same text is kept as a draft."""

    class Meta:
        model = Meeting
        fields = ["minutes", "attendees", "other_attendees"]
        widgets = {"attendees": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        guard_free_text(self, "minutes", "other_attendees")  # identity numbers refused
        self.fields["attendees"].queryset = self.instance.group.members.select_related("party")
        self.fields["minutes"].required = True
        if not self.is_bound and not self.instance.minutes:
            self.initial["minutes"] = self.instance.minutes_start_text()
        if self.is_draft():
            self.fields["minutes"].label = _("Utkast till protokoll")
            self.fields["minutes"].help_text = self.too_early_message()
            # Who attended is known only afterwards.
            del self.fields["attendees"]
            del self.fields["other_attendees"]

    def is_draft(self) -> bool:
        return not self.instance.has_started()

    def too_early_message(self) -> str:
        from django.utils import timezone

        when = timezone.localtime(self.instance.starts_at).strftime("%Y-%m-%d %H:%M")
        return _(
            "Protokoll kan föras först när mötet har ägt rum (%(when)s). Det du skriver nu "
            "sparas som utkast och blir protokollets början efter mötet."
        ) % {"when": when}

    def save_draft(self) -> Meeting | None:
        """Keep what was typed before the meeting, without making it the minutes."""
        # The form has put the text in the instance's minutes; only the draft is written.
        meeting = Meeting.objects.get(pk=self.instance.pk)
        meeting.minutes_draft = self.cleaned_data["minutes"]
        try:
            save_versioned(
                meeting,
                self.cleaned_data.get("version"),
                update_fields=["minutes_draft", "version"],
            )
        except EditConflict:
            self.add_error(None, EditConflict.message)
            return None
        return meeting


class MilestoneForm(PartnershipOwnedForm):
    class Meta:
        model = Milestone
        fields = ["date", "title", "kind", "step", "note", "done"]
        widgets = {"date": DateInput()}

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, partnership=partnership, **kwargs)


class BudgetYearForm(Form):
    year = forms.IntegerField(label=_("Budgetår"), min_value=2000, max_value=2100)


class MembershipRoleForm(Form):
    """A member's role in their party (accounts.membership.change_role keeps an admin)."""

    role = forms.ChoiceField(
        label=_("Roll"),
        choices=Role.choices,
        help_text=_(
            "Administratörer hanterar medlemmar, samordnare ändrar innehållet, medlemmar läser "
            "och kommenterar, styrgruppsledamöter läser och godkänner."
        ),
        error_messages={"invalid_choice": _("Välj en av rollerna i listan.")},
    )
    reason = forms.CharField(
        label=_("Motivering"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Du leder inte den här parten och ändrar som superanvändare. Motiveringen sparas i "
            "historiken."
        ),
    )

    def __init__(
        self, *args: Any, roles: list[str] | None = None, ask_reason: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if roles is not None:
            role_field = self.fields["role"]
            assert isinstance(role_field, forms.ChoiceField)
            role_field.choices = [(v, label) for v, label in Role.choices if v in roles]
        if not ask_reason:
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _(
                "Ange en motivering: den sparas i historiken."
            )


class InvitationForm(Form):
    """Invite a person into one of the inviter's own parties (accounts.membership).

    The answer is the same whether or not an account with the name exists: an existing
    account sees the invitation after logging in, a new person creates the account through
    the invitation's link.
    """

    username = forms.CharField(
        label=_("Användarnamn"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_(
            "Personens användarnamn. Har personen inget konto skapar hen det med inbjudans länk."
        ),
    )
    party = forms.ModelChoiceField(
        label=_("Part"),
        queryset=Party.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _(
                "Du kan bara bjuda in till en part där du själv är administratör eller "
                "samordnare. Be den partens administratör eller samordnare att bjuda in."
            )
        },
    )
    role = forms.ChoiceField(label=_("Roll"), choices=Role.choices, initial=Role.MEMBER)
    email = forms.EmailField(
        label=_("E-post"),
        required=False,
        help_text=_("Frivilligt: länken skickas också hit."),
    )

    def __init__(self, *args: Any, partnership: Partnership, inviter: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.inviter = inviter
        self.fields["party"].queryset = membership.inviting_parties(
            inviter, partnership
        ).select_related("organisation")
        # The inviter's own party first: inviting into a party no one leads yet is the
        # exception (its first leader), not the default.
        own = partnership.parties.filter(
            memberships__user=inviter, memberships__role__in=membership.INVITING_ROLES
        ).first()
        if own is not None:
            self.initial.setdefault("party", own.pk)

    def clean_username(self) -> str:
        return membership.normalise_username(self.cleaned_data["username"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        party, role, username = data.get("party"), data.get("role"), data.get("username")
        grantable = membership.grantable_roles(self.inviter, party) if party else []
        if party and role and role not in grantable:
            message: StrOrPromise
            if Role.MEMBER not in grantable:  # a party no one leads yet: its leader first
                message = _(
                    "%(party)s har ingen administratör eller samordnare ännu. Bjud först in den "
                    "som ska leda parten (administratör eller samordnare); sedan bjuder hen in "
                    "partens övriga medlemmar."
                ) % {"party": party}
            else:
                message = _(
                    "Som samordnare kan du inte utse administratörer; be en administratör för "
                    "parten."
                )
            self.add_error("role", message)
        if username:
            # Only names already on this partnership's member list are named here, so the
            # answer says nothing about accounts elsewhere on the site.
            members = Membership.objects.filter(
                user__username__iexact=username, party__partnership=self.partnership
            )
            if members.exists():
                self.add_error(
                    "username",
                    _(
                        "Personen är redan medlem i samverkan; ta bort medlemskapet först för "
                        "att byta part eller roll."
                    ),
                )
            elif (
                party
                and membership.open_invitations(self.partnership)
                .filter(username__iexact=username, party=party)
                .exists()
            ):
                self.add_error(
                    "username", _("En inbjudan till namnet väntar redan på svar för parten.")
                )
        return data

    def save(self) -> tuple[Invitation, str]:
        data = self.cleaned_data
        try:
            return membership.invite(
                self.inviter, data["party"], data["username"], data["role"], data["email"]
            )
        except membership.MembershipError as exc:
            raise forms.ValidationError(str(exc)) from exc
