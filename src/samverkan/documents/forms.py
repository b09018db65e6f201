"""Forms for decision records and signed agreements."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.documents.models import (
    DecisionProposal,
    DocumentDecision,
    IssuedDocument,
    SignedAgreement,
)
from samverkan.lib.forms import DateInput, ModelForm, VersionedModelForm, check_upload


class IssuedVersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _("Version %(n)s, %(edition)s, utfärdad %(date)s") % {
            "n": obj.number,
            "edition": str(obj.get_edition_display()).lower(),
            "date": f"{timezone.localtime(obj.created_at):%Y-%m-%d}",
        }


class DocumentDecisionForm(VersionedModelForm):
    """The decision, tied to the issued version it approved (the PDF stands for the version:
    its formats share one number)."""

    class Meta:
        model = DocumentDecision
        fields = ["body", "decided_on", "reference", "approved", "next_update_due"]
        field_classes = {"approved": IssuedVersionChoice}
        widgets = {"decided_on": DateInput(), "next_update_due": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        record = self.instance
        versions = IssuedDocument.objects.filter(
            partnership_id=record.partnership_id, kind=record.kind, format="pdf"
        ).order_by("-created_at", "-number")
        field = self.fields["approved"]
        field.queryset = versions
        field.empty_label = _("Välj version")
        # With a version to choose, the decision must name it; with none issued, the decision
        # is recorded and no version is marked as adopted until one is named.
        field.required = versions.exists()
        if not field.required:
            field.help_text = _(
                "Ingen version är utfärdad ännu. Utfärda den version som beslutades och välj "
                "den här, annars märks ingen version som fastställd."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        decided, due = data.get("decided_on"), data.get("next_update_due")
        if decided and due and due <= decided:
            self.add_error("next_update_due", _("Nästa uppdatering måste ligga efter beslutet."))
        approved = data.get("approved")
        if decided and approved and timezone.localtime(approved.created_at).date() > decided:
            self.add_error(
                "approved",
                _(
                    "Version %(n)s utfärdades efter beslutsdatumet. Välj den version som "
                    "beslutet gällde."
                )
                % {"n": approved.number},
            )
        return data


class SignedAgreementForm(ModelForm):
    class Meta:
        model = SignedAgreement
        fields = ["signed_on", "file", "issued"]
        widgets = {"signed_on": DateInput()}

    def __init__(self, *args: Any, partnership: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["issued"].queryset = partnership.issued_documents.filter(
            kind="agreement", format="pdf"
        )

    def clean_file(self) -> Any:
        upload = check_upload(self.cleaned_data.get("file"))
        if upload and not upload.name.lower().endswith(".pdf"):
            raise forms.ValidationError(_("Ladda upp det undertecknade exemplaret som PDF."))
        return upload


class DecisionProposalForm(ModelForm):
    class Meta:
        model = DecisionProposal
        fields = ["reference", "proposal"]
        widgets = {"proposal": forms.Textarea(attrs={"rows": 4})}
