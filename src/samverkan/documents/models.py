"""Issued documents (immutable versions), decision records and signed agreements."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from samverkan.lib.versioning import Versioned
from samverkan.partnerships.models import Partnership

KIND_CHOICES = [
    ("agreement", _("Samverkansöverenskommelse")),
    ("lagesbild", _("Lägesbild")),
    ("vecka", _("Veckolägesbild")),
    ("atgardsplan", _("Åtgärdsplan")),
    ("medborgarlofte", _("Medborgarlöfte")),
    ("followup", _("Uppföljningsrapport")),
    ("fem-i", _("5I-beskrivning")),
]
EDITION_CHOICES = [("internal", _("Intern version")), ("public", _("Offentlig version"))]
FORMAT_CHOICES = [("pdf", "PDF"), ("docx", "Word"), ("html", "HTML")]


def issued_upload_to(instance: IssuedDocument, filename: str) -> str:
    return f"partnerships/{instance.partnership_id}/documents/{filename}"


class IssuedDocument(models.Model):
    """One issued version of a document in one edition and format. Never changed once saved:
    a correction is a new version, and each version records what changed since the last."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="issued_documents",
        on_delete=models.CASCADE,
    )
    kind = models.CharField(_("dokument"), max_length=20, choices=KIND_CHOICES)
    edition = models.CharField(_("version"), max_length=10, choices=EDITION_CHOICES)
    format = models.CharField(_("format"), max_length=5, choices=FORMAT_CHOICES)
    number = models.PositiveIntegerField(_("versionsnummer"))
    file = models.FileField(_("fil"), upload_to=issued_upload_to, max_length=300)
    sha256 = models.CharField(_("kontrollsumma (SHA-256)"), max_length=64)
    source_lines = models.JSONField(_("innehåll som dokumentet byggdes av"), default=list)
    changes = models.JSONField(_("ändringar sedan förra versionen"), default=list, blank=True)
    confidential_access = models.JSONField(
        _("sekretessgrupper"),
        default=list,
        blank=True,
        help_text=_("För varje sekretessuppgift i dokumentet: de parter som får se den."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utfärdad av"),
        related_name="issued_documents",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("utfärdad"), auto_now_add=True)

    class Meta:
        verbose_name = _("utfärdat dokument")
        verbose_name_plural = _("utfärdade dokument")
        ordering = ["kind", "edition", "-number", "format"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "kind", "edition", "format", "number"],
                name="issued_document_unique_version",
            )
        ]

    def __str__(self) -> str:
        edition = self.get_edition_display()
        return f"{self.get_kind_display()} v{self.number} ({edition}, {self.format})"

    # The history says that a version was issued, never what it holds: its text may carry
    # confidential lines to readers who may not see them.
    audit_exclude = ("source_lines", "changes", "confidential_access")

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValidationError("An issued document is immutable; issue a new version.")
        super().save(*args, **kwargs)

    def audit_partnership_id(self) -> int:
        return self.partnership_id

    def may_download(self, user: object) -> bool:
        """A version holding confidential items goes only to those allowed to see each one."""
        from samverkan.accounts import access

        return access.may_download_issued(user, self)


def rendering_upload_to(instance: Rendering, filename: str) -> str:
    return f"partnerships/{instance.partnership_id}/renderings/{filename}"


class Rendering(models.Model):
    """The latest rendering of a document built on request (a download from the documents
    page), stored so that the same content is never laid out twice.

    One slot per partnership, document, edition, format, audience and variant (the week of a
    weekly picture); ``digest`` names the content it was rendered from (documents/renderings.py:
    the built document structure and the renderer). A download serves the stored file only
    while the digest still matches what the reader's build gives now; otherwise a job renders
    it again and replaces the slot. Not part of the history: a cache, not the partnership's
    data, and rebuilt from that data whenever needed.
    """

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="renderings",
        on_delete=models.CASCADE,
    )
    kind = models.CharField(_("dokument"), max_length=20, choices=KIND_CHOICES)
    edition = models.CharField(_("version"), max_length=10, choices=EDITION_CHOICES)
    format = models.CharField(_("format"), max_length=5, choices=FORMAT_CHOICES)
    audience = models.CharField(
        _("mottagare"),
        max_length=100,
        help_text=_(
            "Vilken publik filen är byggd för: allmänheten, eller en roll med de parter vars "
            "sekretessuppgifter den får läsa."
        ),
    )
    variant = models.CharField(
        _("variant"), max_length=20, blank=True, help_text=_("Veckan för en veckolägesbild.")
    )
    digest = models.CharField(_("innehållets kontrollsumma (SHA-256)"), max_length=64)
    file = models.FileField(_("fil"), upload_to=rendering_upload_to, max_length=300)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("lagrad rendering")
        verbose_name_plural = _("lagrade renderingar")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "kind", "edition", "format", "audience", "variant"],
                name="rendering_one_per_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.edition}, {self.format}, {self.audience})"


class DocumentDecision(Versioned):
    """The decision record for the municipality's lägesbild or åtgärdsplan (Lag 2023:196),
    tied to the issued version it approved: only a document with that version's content is
    marked "Fastställd" (documents/data.py), never a later draft."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="document_decisions",
        on_delete=models.CASCADE,
    )
    kind = models.CharField(
        _("dokument"),
        max_length=20,
        choices=[("lagesbild", _("Lägesbild")), ("atgardsplan", _("Åtgärdsplan"))],
    )
    body = models.CharField(
        _("beslutande organ"),
        max_length=200,
        help_text=_("T.ex. kommunstyrelsen eller kommunfullmäktige."),
    )
    decided_on = models.DateField(_("beslutsdatum"))
    reference = models.CharField(_("diarienummer"), max_length=100, blank=True)
    next_update_due = models.DateField(
        _("nästa uppdatering senast"),
        null=True,
        blank=True,
        help_text=_("Lämnas tomt blir det ett år efter beslutet."),
    )
    approved = models.ForeignKey(
        IssuedDocument,
        verbose_name=_("beslutad version"),
        related_name="approving_decisions",
        # The version is the decision's evidence: it cannot be deleted under it.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_(
            "Den utfärdade version som beslutet gällde. Bara den versionens innehåll märks som "
            "fastställt; en senare ändring blir ett utkast till nästa beslut."
        ),
    )

    class Meta:
        verbose_name = _("beslut om dokument")
        verbose_name_plural = _("beslut om dokument")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "kind"], name="document_decision_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.decided_on:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.next_update_due is None and self.decided_on:
            self.next_update_due = self.decided_on + datetime.timedelta(days=365)
        super().save(*args, **kwargs)

    def audit_partnership_id(self) -> int:
        return self.partnership_id

    def is_update_due(self, today: datetime.date) -> bool:
        return self.next_update_due is not None and self.next_update_due <= today


class DecisionProposal(models.Model):
    """What a draft for decision carries before the decision: the case's diarienummer and
    the proposed decision ("förslag till beslut"), printed on the draft's cover."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="decision_proposals",
        on_delete=models.CASCADE,
    )
    kind = models.CharField(
        _("dokument"),
        max_length=20,
        choices=[
            ("agreement", _("Samverkansöverenskommelse")),
            ("lagesbild", _("Lägesbild")),
            ("atgardsplan", _("Åtgärdsplan")),
        ],
    )
    reference = models.CharField(_("diarienummer"), max_length=100, blank=True)
    proposal = models.TextField(
        _("förslag till beslut"),
        blank=True,
        help_text=_("T.ex. ”Kommunstyrelsen föreslås fastställa lägesbilden.”"),
    )

    class Meta:
        verbose_name = _("förslag till beslut")
        verbose_name_plural = _("förslag till beslut")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "kind"], name="decision_proposal_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}".strip()

    def audit_partnership_id(self) -> int:
        return self.partnership_id


def signed_upload_to(instance: SignedAgreement, filename: str) -> str:
    return f"partnerships/{instance.partnership_id}/signed/{filename}"


class SignedAgreement(models.Model):
    """The signed copy of an agreement version, with the signing date."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="signed_agreements",
        on_delete=models.CASCADE,
    )
    signed_on = models.DateField(_("undertecknad"))
    file = models.FileField(_("undertecknat exemplar"), upload_to=signed_upload_to, max_length=300)
    issued = models.ForeignKey(
        IssuedDocument,
        verbose_name=_("utfärdad version"),
        related_name="signatures",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uppladdad av"),
        related_name="signed_agreements",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    uploaded_at = models.DateTimeField(_("uppladdad"), auto_now_add=True)

    class Meta:
        verbose_name = _("undertecknad överenskommelse")
        verbose_name_plural = _("undertecknade överenskommelser")
        ordering = ["-signed_on"]

    def __str__(self) -> str:
        return _("Undertecknad %(d)s") % {"d": f"{self.signed_on:%Y-%m-%d}"}

    def audit_partnership_id(self) -> int:
        return self.partnership_id


class AccessibilityCheck(models.Model):
    """One PDF/UA-1 check of a public document edition (manage.py check_accessibility): what
    the accessibility statement reports as the date and result of the latest check."""

    kind = models.CharField(_("dokument"), max_length=20, choices=KIND_CHOICES)
    checked_at = models.DateTimeField(_("kontrollerad"), auto_now_add=True)
    checkers = models.CharField(_("kontrollverktyg"), max_length=200)
    errors = models.PositiveIntegerField(_("fel"), default=0)
    warnings = models.PositiveIntegerField(_("varningar"), default=0)
    findings = models.JSONField(_("anmärkningar"), default=list, blank=True)

    class Meta:
        verbose_name = _("tillgänglighetskontroll")
        verbose_name_plural = _("tillgänglighetskontroller")
        ordering = ["-checked_at", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.checked_at:%Y-%m-%d}"

    @property
    def passed(self) -> bool:
        return self.errors == 0 and self.warnings == 0
