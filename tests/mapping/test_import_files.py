"""An uploaded file is kept only while it is needed: the rows, checksum and errors remain."""

from pathlib import Path

from samverkan.mapping.choices import ImportStatus
from samverkan.mapping.services import import_file
from tests.mapping.helpers import write


def stored_files(settings, party) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "mapping" / "imports"
    return sorted(folder.glob(f"{party.pk}-*")) if folder.exists() else []


def test_files_of_finished_and_rejected_imports_are_deleted(world, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    good = write(tmp_path, "ok.csv", "Datum;Brott\n2025-03-12;Rån\n")
    bad = write(tmp_path, "bad.csv", "Datum;Brott\n2025-02-30;Rån\n")
    done, _ = import_file(world.ours.kommun, "incidents", good)
    rejected, _ = import_file(world.ours.kommun, "incidents", bad)
    assert (done.status, rejected.status) == (ImportStatus.DONE, ImportStatus.REJECTED)
    done.refresh_from_db()
    rejected.refresh_from_db()
    assert not done.file and not rejected.file
    assert done.sha256 and rejected.errors and rejected.file_name == "bad.csv"
    assert stored_files(settings, world.ours.kommun) == []


def test_file_waiting_for_column_mapping_is_kept(world, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    unknown = write(tmp_path, "x.csv", "När;Vad\n2025-03-12 21:30;Rån\n")
    record, _ = import_file(world.ours.kommun, "incidents", unknown)
    assert record.status == ImportStatus.NEEDS_MAPPING
    assert record.file and len(stored_files(settings, world.ours.kommun)) == 1
