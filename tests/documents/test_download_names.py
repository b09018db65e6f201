"""Downloads carry Swedish, readable names in a header every browser reads, old issued
versions included."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from samverkan.documents import services
from samverkan.documents.models import IssuedDocument, SignedAgreement
from tests.downloads import get_document


@pytest.mark.slow(reason="prints real PDF and Word files and reads them back")
def test_issued_version_and_live_download_are_named_in_swedish(client, world):
    partnership = world.ours.partnership
    partnership.name = "Trygg i Exempelby"
    partnership.save()
    record = IssuedDocument(
        partnership=partnership, kind="agreement", edition="internal", format="pdf", number=3,
        sha256="0" * 64, source_lines=[],
    )  # fmt: skip
    # A version issued before the Swedish names: its stored file keeps the English name.
    record.file.save("agreement-internal-1-v3-2026-11-01.pdf", ContentFile(b"%PDF-1.4"))
    client.force_login(world.alice)
    response = client.get(
        reverse("documents:version_download", kwargs={"pk": partnership.pk, "issued_id": record.pk})
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="overenskommelse-intern-trygg-i-exempelby-v3.pdf"'
    )
    live = get_document(
        client,
        reverse(
            "documents:download",
            kwargs={"pk": partnership.pk, "kind": "followup", "edition": "public", "fmt": "pdf"},
        ),
    )
    assert live.status_code == 200
    disposition = live["Content-Disposition"]
    assert disposition.startswith('attachment; filename="uppfoljningsrapport-offentlig-trygg-i-')
    assert disposition.isascii()


def test_signed_copy_is_named_after_the_agreement_and_its_day(client, world):
    partnership = world.ours.partnership
    partnership.name = "Samverkan för Öregrund"
    partnership.save()
    signed = SignedAgreement(partnership=partnership, signed_on=datetime.date(2026, 11, 30))
    signed.file.save("scan_0001.PDF", ContentFile(b"%PDF-1.4"), save=False)
    signed.save()
    assert services.signed_file_name(signed) == (
        "overenskommelse-undertecknad-samverkan-for-oregrund-2026-11-30.pdf"
    )
    client.force_login(world.alice)
    response = client.get(
        reverse("documents:signed_download", kwargs={"pk": partnership.pk, "signed_id": signed.pk})
    )
    assert response.status_code == 200
    assert (
        "overenskommelse-undertecknad-samverkan-for-oregrund-2026-11-30.pdf"
        in (response["Content-Disposition"])
    )
