"""An import that fails for any reason ends as failed: Swedish message, file deleted, no
polling, nothing saved; an import whose job was abandoned is settled when shown."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from samverkan.jobs import registry
from samverkan.jobs.models import Job, JobStatus
from samverkan.mapping import services
from samverkan.mapping.choices import ImportStatus
from samverkan.mapping.importers import kinds
from samverkan.mapping.models import Import, Incident
from tests.mapping.helpers import write

GOOD = "Datum;Tid;Brott;Plats\n2025-03-12;21:30;Rån;Torget\n"


def url(name, world, **kw):
    return reverse(
        f"mapping:{name}",
        kwargs={"pk": world.ours.partnership.pk, "party_id": world.ours.kommun.pk, **kw},
    )


def stored_files(settings) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "mapping" / "imports"
    return sorted(folder.glob("*-i*.csv")) if folder.exists() else []


@pytest.fixture
def crashing_importer(monkeypatch):
    """An importer that fails half-way with a raw English error, after writing rows."""

    def parse(self, cells, line):
        if line > 2:
            raise ValueError("could not convert string to float: '²'")
        return original(self, cells, line)

    original = kinds.IncidentImporter.parse
    monkeypatch.setattr(kinds.IncidentImporter, "parse", parse)
    monkeypatch.setattr(kinds.IncidentImporter, "columnar", False)


@pytest.mark.django_db(transaction=True)
def test_crashing_upload_ends_failed_in_swedish_with_file_deleted(
    client, world, settings, crashing_importer
):
    client.force_login(world.alice)
    text = GOOD + "2025-03-13;22:00;Stöld;Parken\n"
    client.post(
        url("import_upload", world),
        {"kind": "incidents", "file": SimpleUploadedFile("i.csv", text.encode())},
    )
    registry.wait_for_inprocess_jobs()
    record = Import.objects.get(file_name="i.csv")
    assert record.status == ImportStatus.FAILED
    assert record.errors[0]["sv"] == "Importen avbröts av ett oväntat fel. Inget sparades."
    assert not record.file and stored_files(settings) == []
    assert not Incident.objects.filter(offence="Rån", place="Torget").exists()
    job = Job.objects.get(pk=record.job_id)
    assert job.status == JobStatus.FAILED and "could not convert" not in job.error
    page = client.get(url("import_detail", world, import_id=record.pk)).content.decode()
    assert "Importen avbröts av ett oväntat fel" in page
    assert "could not convert" not in page and "hx-trigger" not in page


def test_crashing_import_from_the_command_line_says_so_without_traceback(
    world, tmp_path, settings, crashing_importer
):
    path = write(tmp_path, "i.csv", GOOD + "2025-03-13;22:00;Stöld;Parken\n")
    p = world.ours.partnership
    with pytest.raises(CommandError, match="unexpected error.*nothing saved"):
        call_command("import", "incidents", str(path), partnership=p.pk, party=world.ours.kommun.pk)
    record = Import.objects.get(file_name="i.csv")
    assert record.status == ImportStatus.FAILED and not record.file
    assert stored_files(settings) == []
    assert not Incident.objects.filter(offence="Rån", place="Torget").exists()


def test_import_of_an_abandoned_job_is_failed_when_its_page_is_read(client, world, tmp_path):
    party = world.ours.kommun
    with open(write(tmp_path, "i.csv", GOOD), "rb") as fh:
        record = services.create_import(party, "incidents", SimpleUploadedFile("i.csv", fh.read()))
    host = registry.worker_id().split("/")[0]
    record.job = Job.objects.create(
        partnership=party.partnership,
        kind="mapping.import",
        params={"import_id": record.pk},
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        worker=f"{host}/{registry.worker_id().split('/')[1]}/before-restart",
    )
    record.status = ImportStatus.RUNNING
    record.save()
    stored = Path(record.file.path)
    assert stored.exists()
    client.force_login(world.alice)
    page = client.get(url("import_detail", world, import_id=record.pk)).content.decode()
    assert "Importen avbröts" in page and "hx-trigger" not in page
    record.refresh_from_db()
    assert record.status == ImportStatus.FAILED and not record.file and not stored.exists()
    assert Job.objects.get(pk=record.job_id).error == registry.ABANDONED


def test_import_still_running_after_its_job_ended_is_settled(client, world, tmp_path):
    """E.g. a clean-up that could not run: the page must not poll for ever."""
    party = world.ours.kommun
    record = services.create_import(party, "incidents", SimpleUploadedFile("i.csv", GOOD.encode()))
    record.job = Job.objects.create(
        partnership=party.partnership, kind="mapping.import", status=JobStatus.FAILED
    )
    record.status = ImportStatus.RUNNING
    record.save()
    client.force_login(world.alice)
    page = client.get(url("workspace", world)).content.decode()
    record.refresh_from_db()
    assert record.status == ImportStatus.FAILED and not record.file
    assert "Avbruten" in page
