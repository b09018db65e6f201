"""Kolada JSON, SCB population and survey imports."""

import json

from samverkan.mapping.models import KeyFigure, Population, SurveyResult
from tests.mapping.helpers import run, write

KOLADA = {
    "count": 2,
    "values": [
        {"kpi": "N07403", "municipality": "0180", "period": 2023,
         "values": [{"gender": "T", "value": 12.5, "count": 1, "status": ""},
                    {"gender": "K", "value": None, "count": 0, "status": "Missing"}]},
        {"kpi": "N07403", "municipality": "0180", "period": 2024,
         "values": [{"gender": "T", "value": 13.1}]},
    ],
}  # fmt: skip


def test_kolada_json_is_imported_as_key_figures(world, tmp_path):
    path = write(tmp_path, "k.json", json.dumps(KOLADA))
    result = run("kolada", world.ours.kommun, path)
    assert result.ok, result.errors
    assert sorted(KeyFigure.objects.values_list("year", "gender", "value")) == [
        (2023, "K", None),
        (2023, "T", 12.5),
        (2024, "T", 13.1),
    ]
    assert run("kolada", world.ours.kommun, path).rows_imported == 0


def test_kolada_rejects_entry_with_unknown_municipality(world, tmp_path):
    data = {
        "values": [
            {
                "kpi": "N1",
                "municipality": "G123",
                "period": 2024,
                "values": [{"gender": "T", "value": 1}],
            }
        ]
    }
    result = run("kolada", world.ours.kommun, write(tmp_path, "k.json", json.dumps(data)))
    assert result.errors[0].line == 1 and KeyFigure.objects.count() == 0


def test_scb_population_with_year_columns_and_sex_rows_is_summed(world, tmp_path):
    text = (
        '"region";"kön";"2023";"2024"\n'
        '"0180 Stockholm";"män";"490000";"495000"\n'
        '"0180 Stockholm";"kvinnor";"500000";"505000"\n'
    )
    result = run("population", world.ours.kommun, write(tmp_path, "p.csv", text))
    assert result.ok, result.errors
    assert sorted(Population.objects.values_list("year", "count")) == [
        (2023, 990000),
        (2024, 1000000),
    ]


def test_survey_with_decimal_comma_is_imported_and_bad_share_rejected(world, tmp_path):
    good = "Fråga;Område;År;Andel;Antal svarande\nOtrygg ute sent;Centrum;2024;23,5;412\n"
    assert run("survey", world.ours.kommun, write(tmp_path, "s.csv", good)).ok
    assert SurveyResult.objects.get(question="Otrygg ute sent").share == 23.5
    bad = "Fråga;Område;År;Andel;Antal svarande\nOtrygg;Norr;2024;123;40\n"
    result = run("survey", world.ours.kommun, write(tmp_path, "t.csv", bad))
    assert result.errors[0].line == 2 and "procent" in result.errors[0].sv


def test_a_natural_key_twice_in_one_file_names_the_first_line(world, tmp_path):
    stats = "Kommun;Brott;År;Antal\nStockholm;Rån;2024;10\nStockholm;Cykelstöld;2024;4\n"
    stats += "Stockholm;Rån;2024;12\n"
    result = run("crime-stats", world.ours.kommun, write(tmp_path, "b.csv", stats))
    assert [(e.line, e.sv) for e in result.errors] == [
        (4, "rad 4: samma område, brott och period finns redan på rad 2")
    ]
    survey = "Fråga;Område;År;Andel;Antal svarande\nOtrygg;Centrum;2024;31,5;400\n"
    survey += "Otrygg;Centrum;2024;30;380\n"
    result = run("survey", world.ours.kommun, write(tmp_path, "t.csv", survey))
    assert result.errors[0].en == "line 3: same question, area and year as line 2"
    entry = {"kpi": "N07540", "municipality": "0180", "period": 2024,
             "values": [{"gender": "T", "value": 1.0}]}  # fmt: skip
    kolada = json.dumps({"values": [entry, entry]})
    result = run("kolada", world.ours.kommun, write(tmp_path, "k.json", kolada))
    assert result.errors[0].sv == "post 2: samma nyckeltal, kommun, år och kön finns redan i post 1"
    assert not SurveyResult.objects.filter(question="Otrygg").exists()
