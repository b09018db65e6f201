"""The example files the README points to import cleanly (so the documentation stays true)."""

from pathlib import Path

import pytest

from tests.mapping.helpers import run

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.mark.parametrize(
    "kind,name",
    [
        ("crime-stats", "brottsstatistik.csv"),
        ("incidents", "handelser.csv"),
        ("kolada", "kolada.json"),
        ("population", "befolkning.csv"),
        ("population", "befolkning-scb.json"),
        ("survey", "trygghetsmatning.csv"),
    ],
)
def test_readme_example_file_imports_cleanly(world, kind, name):
    result = run(kind, world.ours.kommun, EXAMPLES / name)
    assert result.ok, result.errors
    assert result.rows_imported > 0
