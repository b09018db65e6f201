"""Cell parsers: Swedish dates, times and numbers."""

import datetime

import pytest

from samverkan.mapping.importers.parse import Bad, parse_datetime, parse_float, parse_time
from samverkan.mapping.municipalities import municipality_code


@pytest.mark.parametrize(
    "text",
    [
        "2025-03-12",
        "12 mars 2025",
        "12 mar 2025",
        "12/3/2025",
        "12.3.2025",
        "20250312",
        "2025/03/12",
    ],
)
def test_parse_date_reads_swedish_formats(text):
    assert parse_datetime(text) == (datetime.date(2025, 3, 12), None)


def test_parse_date_keeps_time_written_in_the_date_cell():
    assert parse_datetime("2025-03-12 21:30") == (datetime.date(2025, 3, 12), datetime.time(21, 30))


@pytest.mark.parametrize("text", ["31 februari 2025", "12 marz 2025", "igår", "2025-13-01"])
def test_parse_date_rejects_impossible_or_unreadable_dates(text):
    with pytest.raises(Bad):
        parse_datetime(text)


@pytest.mark.parametrize("text", ["21:30", "2130", "21.30", "21:30:00"])
def test_parse_time_reads_common_forms(text):
    assert parse_time(text) == datetime.time(21, 30)


def test_parse_time_rejects_25_oclock():
    with pytest.raises(Bad):
        parse_time("25:10")


@pytest.mark.parametrize(
    "text,value",
    [("12,5", 12.5), ("1 234,5", 1234.5), ("1.234,5", 1234.5), ("7", 7.0), ("45,3 %", 45.3)],
)
def test_parse_float_reads_decimal_comma(text, value):
    assert parse_float(text, "värdet", "value") == value


def test_municipality_by_name_or_code():
    assert municipality_code("0180") == "0180"
    assert municipality_code("Stockholms kommun") == "0180"
    assert municipality_code("Göteborgs Stad") == "1480"
    assert municipality_code("0180 Stockholm") == "0180"
    assert municipality_code("Narnia") is None
