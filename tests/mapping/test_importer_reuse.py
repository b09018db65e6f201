"""One importer object can read a second file: what it keeps between files (the table it
writes to) never hides the reader that every import starts with (Importer.table)."""

from samverkan.mapping.importers import importer_for, run_import
from samverkan.mapping.models import Incident
from tests.mapping.helpers import write

HEAD = "Ärendenummer;Datum;Tid;Brott;Plats\n"


def test_an_incident_importer_reads_a_second_file(world, tmp_path):
    importer = importer_for("incidents", world.ours.kommun)
    first = run_import(
        importer, write(tmp_path, "a.csv", HEAD + "A1;2025-03-12;21:30;Rån;Torget\n")
    )
    second = run_import(
        importer, write(tmp_path, "b.csv", HEAD + "A2;2025-03-13;10:00;Rån;Torget\n")
    )
    assert first.ok, first.errors
    assert not second.crashed and second.ok, second.errors
    keys = Incident.objects.filter(party=world.ours.kommun).values_list("key", flat=True)
    assert {"A1", "A2"} <= {k.partition("|")[0] for k in keys}
