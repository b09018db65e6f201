"""An import page shown just as its job ends reports the job's counts, not the zeros it
started with."""

from samverkan.mapping import services
from samverkan.mapping.choices import ImportStatus
from samverkan.mapping.models import Import


def test_settling_copies_the_counts_the_job_wrote(world):
    party = world.ours.kommun
    record = Import.objects.create(
        party=party, kind="incidents", file_name="handelser.csv", status=ImportStatus.RUNNING
    )
    seen = Import.objects.get(pk=record.pk)  # read while the job was still running
    Import.objects.filter(pk=record.pk).update(
        status=ImportStatus.DONE, rows_total=3, rows_imported=9, rows_skipped=1
    )
    services.settle_imports([seen])
    assert (seen.status, seen.rows_total, seen.rows_imported, seen.rows_skipped) == (
        ImportStatus.DONE,
        3,
        9,
        1,
    )
