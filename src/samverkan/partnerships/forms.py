"""Forms for step 1. Every message is Swedish and says what would be right (STYLE.md 7)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.choices import OrganisationKind, Role
from samverkan.accounts.models import Membership, Organisation, User
from samverkan.lib.forms import (
    DateInput,
    DateTimeInput,
    PartnershipOwnedForm,
    VersionedModelForm,
    check_upload,
)
from samverkan.partnerships.choices import GroupKind, PartyKind
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


class PartnershipCreateForm(forms.ModelForm):
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


def _check_period(form: forms.Form, data: dict[str, Any]) -> None:
    start, end = data.get("started_on"), data.get("valid_until")
    if start and end and end <= start:
        form.add_error("valid_until", _("Slutdatumet måste ligga efter startdatumet."))


class PartnershipForm(VersionedModelForm):
    class Meta:
        model = Partnership
        fields = ["name", "area", "forum", "purpose", "started_on", "valid_until"]
        widgets = {"started_on": DateInput(), "valid_until": DateInput()}

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


class GroupMemberForm(forms.ModelForm):
    class Meta:
        model = GroupMember
        fields = ["party", "name", "title", "is_chair"]

    def __init__(self, *args: Any, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group = group
        self.fields["party"].queryset = group.partnership.parties.select_related("organisation")
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
    class Meta:
        model = Meeting
        fields = ["minutes", "attendees", "other_attendees"]
        widgets = {"attendees": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = self.instance.group.members.select_related("party")
        self.fields["minutes"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        from django.utils import timezone

        if self.instance.starts_at > timezone.now():
            raise forms.ValidationError(
                _("Protokoll kan föras först när mötet har ägt rum (%(when)s)."),
                params={
                    "when": timezone.localtime(self.instance.starts_at).strftime("%Y-%m-%d %H:%M")
                },
            )
        return data


class MilestoneForm(PartnershipOwnedForm):
    class Meta:
        model = Milestone
        fields = ["date", "title", "kind", "step", "note", "done"]
        widgets = {"date": DateInput()}

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, partnership=partnership, **kwargs)


class BudgetYearForm(forms.Form):
    year = forms.IntegerField(label=_("Budgetår"), min_value=2000, max_value=2100)


class MembershipForm(forms.Form):
    """Give a person a role in the partnership: an existing account, or a new one."""

    username = forms.CharField(label=_("Användarnamn"), max_length=150)
    party = forms.ModelChoiceField(label=_("Part"), queryset=Party.objects.none(), empty_label=None)
    role = forms.ChoiceField(label=_("Roll"), choices=Role.choices, initial=Role.MEMBER)
    first_name = forms.CharField(label=_("Förnamn"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Efternamn"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-post"), required=False)
    password = forms.CharField(
        label=_("Lösenord för nytt konto"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Behövs bara om kontot inte finns. Minst 12 tecken."),
    )

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["party"].queryset = partnership.parties.select_related("organisation")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        username = data.get("username", "").strip()
        self.user = User.objects.filter(username__iexact=username).first() if username else None
        if username and self.user is None:
            if not data.get("password"):
                self.add_error(
                    "password", _("Kontot finns inte: ange ett lösenord för att skapa det.")
                )
            else:
                candidate = User(
                    username=username,
                    first_name=data.get("first_name", ""),
                    last_name=data.get("last_name", ""),
                    email=data.get("email", ""),
                )
                try:
                    password_validation.validate_password(data["password"], candidate)
                except forms.ValidationError as exc:
                    self.add_error("password", exc)
        if (
            self.user is not None
            and Membership.objects.filter(
                Q(user=self.user) & Q(party__partnership=self.partnership)
            ).exists()
        ):
            self.add_error(
                "username",
                _(
                    "Personen är redan medlem i samverkan; ta bort medlemskapet först för att "
                    "byta part eller roll."
                ),
            )
        return data

    def save(self) -> Membership:
        data = self.cleaned_data
        user = self.user
        if user is None:
            user = User(
                username=data["username"].strip(),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=data.get("email", ""),
                organisation=data["party"].organisation,
            )
            user.set_password(data["password"])
            user.save()
        return Membership.objects.create(user=user, party=data["party"], role=data["role"])
