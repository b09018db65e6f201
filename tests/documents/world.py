"""Document objects for every test world (see tests/factories.py)."""

import datetime

from django.core.files.base import ContentFile

from samverkan.documents.models import DocumentDecision, IssuedDocument, SignedAgreement


def build(world) -> dict:
    p = world.partnership
    issued = IssuedDocument(
        partnership=p, kind="agreement", edition="public", format="pdf", number=1, sha256="0" * 64
    )
    issued.file.save("agreement.pdf", ContentFile(b"%PDF-1.4"), save=False)
    issued.save()
    signed = SignedAgreement(partnership=p, signed_on=datetime.date(2026, 11, 1), issued=issued)
    signed.file.save("signed.pdf", ContentFile(b"%PDF-1.4 signed"), save=False)
    signed.save()
    DocumentDecision.objects.create(
        partnership=p,
        kind="lagesbild",
        body="Kommunstyrelsen",
        decided_on=datetime.date(2026, 10, 1),
    )
    return {
        "issued_id": issued.pk,
        "signed_id": signed.pk,
        "kind": "lagesbild",
        "edition": "public",
        "fmt": "docx",
    }
