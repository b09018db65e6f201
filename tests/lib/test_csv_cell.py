"""The one guard every CSV export uses against spreadsheet formulas (CSV injection)."""

import csv
import io

import pytest

from samverkan.lib.text import csv_cell


@pytest.mark.parametrize("text", ["=1+1", "+46 70", "-x", "@SUM(A1)", "\tx", "\rx", "\nx"])
def test_text_that_starts_like_a_formula_gets_an_apostrophe(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Kommunen", "", "1=1", -3, 2.5, None])
def test_other_values_are_left_as_they_are(value):
    assert csv_cell(value) == value


def test_the_personal_data_register_csv_uses_it(monkeypatch):
    from types import SimpleNamespace

    from samverkan.fieldwork import register

    entry = SimpleNamespace(name="=cmd|' /C calc'!A0", data="d", purpose="p", legal_basis="l",
                            audience="a", retention="r", count=None)  # fmt: skip
    monkeypatch.setattr(register, "register_for", lambda partnership: [entry])
    rows = list(csv.reader(io.StringIO(register.as_csv(None)), delimiter=";"))  # type: ignore[arg-type]
    assert rows[1][0] == "'=cmd|' /C calc'!A0"
