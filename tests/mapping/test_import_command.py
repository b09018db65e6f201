"""manage.py import: one summary line on success, English line-numbered errors on failure."""

import io

import pytest
from django.core.management import CommandError, call_command

from samverkan.mapping.models import CrimeStatistic
from tests.mapping.helpers import write

GOOD = "Kommun;Brott;År;Antal\nUppsala;Rån;2024;17\nUppsala;Rån;2023;12\n"


def _call(world, path, party=None):
    out = io.StringIO()
    call_command(
        "import", "crime-stats", str(path),
        partnership=world.ours.partnership.pk, party=(party or world.ours.kommun).pk, stdout=out,
    )  # fmt: skip
    return out.getvalue()


def test_command_imports_and_prints_one_summary_line(world, tmp_path):
    out = _call(world, write(tmp_path, "b.csv", GOOD))
    assert out.count("\n") == 1 and "2 rows read, 2 imported" in out
    assert CrimeStatistic.objects.filter(municipality_code="0380").count() == 2


def test_command_second_run_says_already_imported(world, tmp_path):
    path = write(tmp_path, "b.csv", GOOD)
    _call(world, path)
    assert "already imported" in _call(world, path)
    assert CrimeStatistic.objects.filter(municipality_code="0380").count() == 2


def test_command_rejects_bad_file_with_line_numbers(world, tmp_path):
    path = write(tmp_path, "b.csv", GOOD + "Uppsala;Rån;2022;-3\n")
    with pytest.raises(CommandError) as exc:
        _call(world, path)
    assert "line 4" in str(exc.value) and "nothing saved" in str(exc.value)
    assert not CrimeStatistic.objects.filter(municipality_code="0380").exists()


def test_command_refuses_party_of_another_partnership(world, tmp_path):
    with pytest.raises(CommandError):
        _call(world, write(tmp_path, "b.csv", GOOD), party=world.foreign.kommun)


def test_command_says_a_file_refused_as_a_whole_is_not_one_bad_row(world, tmp_path):
    data = "Kommun;Brott;År;Antal\nUppsala;Rån;2024;17\n".encode() + "Malmö;Rån;2024;5\n".encode(
        "cp1252"
    )
    path = tmp_path / "b.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError) as exc:
        _call(world, path)
    assert "rejected as a whole" in str(exc.value) and "bad row" not in str(exc.value)
    assert "line 3" in str(exc.value) and "mixes encodings" in str(exc.value)
