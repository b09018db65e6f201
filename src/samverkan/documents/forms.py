"""Forms for decision records and signed agreements."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.documents.models import DecisionProposal, DocumentDecision, SignedAgreement
from samverkan.lib.forms import DateInput, ModelForm, VersionedModelForm, check_upload


class DocumentDecisionForm(VersionedModelForm):
    class Meta:
        model = DocumentDecision
        fields = ["body", "decided_on", "reference", "next_update_due"]
        widgets = {"decided_on": DateInput(), "next_update_due": DateInput()}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        decided, due = data.get("decided_on"), data.get("next_update_due")
        if decided and due and due <= decided:
            self.add_error("next_update_due", _("Nästa uppdatering måste ligga efter beslutet."))
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
