"""JSON-stat (v1 bundles and 2.0) read into population per region and year, and imported."""

import copy
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samverkan.mapping.forms import ImportForm
from samverkan.mapping.importers import jsonstat
from samverkan.mapping.importers.parse import Bad
from samverkan.mapping.models import Population
from tests.mapping.helpers import run, write

RECORDED = Path(__file__).resolve().parent / "recorded"


def _counts(document) -> list[tuple[str, int, int]]:
    table = jsonstat.population(jsonstat.parse(document))
    return [(c.area(), c.year, c.count) for c in table.counts]


def _v1() -> dict:
    return jsonstat.load(RECORDED / "scb-befolkning-v1.json")


def _v2() -> dict:
    return jsonstat.load(RECORDED / "scb-befolkning-v2.json")


LABELS = {"0180": "Stockholm", "1280": "Malmö", "00": "Riket"}


def _cube(dimensions: dict[str, list[str]], values, **extra) -> dict:
    """A JSON-stat 2.0 dataset built in code: dimensions in order, their category codes."""
    return {
        "version": "2.0",
        "class": "dataset",
        "id": list(dimensions),
        "size": [len(codes) for codes in dimensions.values()],
        "dimension": {
            name: {"label": name.lower(), "category": {"index": codes, "label": LABELS}}
            for name, codes in dimensions.items()
        },
        "value": values,
        **extra,
    }


def _bad(document) -> Bad:
    with pytest.raises(Bad) as exc:
        jsonstat.population(jsonstat.parse(document))
    return exc.value


# ---- reading the two generations ---------------------------------------------------------


def test_v1_bundle_from_scb_api_v1_is_read_with_its_bom():
    assert (RECORDED / "scb-befolkning-v1.json").read_bytes()[:3] == b"\xef\xbb\xbf"
    assert _counts(_v1()) == [
        ("0180 Stockholm", 2023, 984748),
        ("0180 Stockholm", 2024, 988943),
        ("1280 Malmö", 2023, 362133),
        ("1280 Malmö", 2024, 364400),
    ]


def test_v2_sums_sex_and_takes_population_among_the_contents():
    table = jsonstat.population(jsonstat.parse(_v2()))
    # By hand from the value array (Region × Kon × ContentsCode × Tid, last fastest):
    # 0180 2023: men 487 000 + women 497 748; 1280 2024: 181 000 + 183 400. Folkökning
    # (BE0101N2) and its missing cell are left out.
    assert [(c.region_code, c.year, c.count) for c in table.counts] == [
        ("0180", 2023, 487000 + 497748),
        ("0180", 2024, 489500 + 499443),
        ("1280", 2023, 179500 + 182633),
        ("1280", 2024, 181000 + 183400),
    ]
    assert table.summed == ("Kon (kön)",)
    assert table.chosen == {"ContentsCode (tabellinnehåll)": "Folkmängd"}


def test_value_may_be_a_sparse_object():
    doc = _cube({"Region": ["0180"], "Kon": ["1", "2"], "Tid": ["2023", "2024"]},
                {"0": 10, "1": 11, "2": 20, "3": "21"})  # fmt: skip
    assert _counts(doc) == [("0180 Stockholm", 2023, 30), ("0180 Stockholm", 2024, 32)]


def test_total_category_is_taken_instead_of_adding_it_to_its_parts():
    # Alder: 0-64, 65+, tot. Adding all three would count everyone twice.
    doc = _cube({"Region": ["0180"], "Alder": ["0-64", "65+", "tot"], "Tid": ["2024"]},
                [800, 200, 1000])  # fmt: skip
    assert _counts(doc) == [("0180 Stockholm", 2024, 1000)]
    assert jsonstat.population(jsonstat.parse(doc)).summed == ()


def test_dimensions_are_found_by_name_without_roles_and_index_may_be_left_out():
    doc = _cube({"region": ["1280"], "år": ["2022", "2023"]}, [1, 2])
    doc["dimension"]["region"]["category"] = {"label": {"1280": "Malmö"}}
    assert _counts(doc) == [("1280 Malmö", 2022, 1), ("1280 Malmö", 2023, 2)]


def test_region_and_year_without_any_figure_is_left_out():
    doc = _cube({"Region": ["0180", "1280"], "Tid": ["2024"]}, [5, ".."])
    assert _counts(doc) == [("0180 Stockholm", 2024, 5)]


def test_regions_other_than_municipalities_keep_their_label():
    doc = _cube({"Region": ["00"], "Tid": ["2024"]}, [10551707])
    assert _counts(doc) == [("Riket", 2024, 10551707)]


# ---- what is refused, and why ------------------------------------------------------------


def test_kolada_answer_is_not_json_stat_and_the_message_says_what_it_is():
    doc = json.loads((RECORDED / "kolada-N07403-page1.json").read_text())
    error = _bad(doc)
    assert "inte ett JSON-stat-dataset" in error.sv and "Kolada" in error.en


def test_pxweb_plain_json_is_refused_with_a_hint():
    error = _bad({"columns": [], "comments": [], "data": [{"key": ["0180", "2024"]}]})
    assert "PxWeb" in error.en and "JSON-stat" in error.sv


def _rename(doc: dict, old: str, new: str) -> dict:
    """Rename a dimension so neither its role nor its name gives it away."""
    doc["id"] = [new if i == old else i for i in doc["id"]]
    doc["dimension"][new] = doc["dimension"].pop(old)
    doc["dimension"][new]["label"] = new.lower()
    doc["role"] = {k: [x for x in v if x != old] for k, v in doc["role"].items()}
    return doc


def test_dataset_without_region_dimension_is_refused():
    error = _bad(_rename(_v2(), "Region", "Omr"))
    assert "ingen regiondimension" in error.sv and "Omr (omr)" in error.en


def test_dataset_without_time_dimension_is_refused():
    error = _bad(_rename(_v2(), "Tid", "Per"))
    assert "ingen tidsdimension" in error.sv and "no time dimension" in error.en


@pytest.mark.parametrize(
    "change,sv,en",
    [
        (lambda d: d["value"].pop(), "”value” har 15 värden", "make 16 cells"),
        (lambda d: d.update(size=[2, 2, 2]), "”size” har 3 tal", "'size' has 3 numbers"),
        (lambda d: d.update(size=[2, 3, 2, 2]), "har 2 kategorier men ”size” säger 3",
         "'size' says 3"),
        (lambda d: d["value"].__setitem__(0, "many"), "är inget tal", "Region=0180, Kon=1"),
        (lambda d: d.update(value={"16": 1}), "inte är en cell 0–15", "not a cell 0-15"),
        (lambda d: d["dimension"]["Kon"].pop("category"), "saknar kategorier",
         "has no categories"),
        (lambda d: d.pop("dimension"), "inte ett JSON-stat-dataset", "not a JSON-stat dataset"),
        (lambda d: d.pop("id"), "saknar listan ”id”", "lacks the list 'id'"),
    ],
)  # fmt: skip
def test_broken_json_stat_is_refused_naming_what_is_wrong(change, sv, en):
    doc = copy.deepcopy(_v2())
    change(doc)
    error = _bad(doc)
    assert sv in error.sv and en in error.en


def test_several_datasets_in_one_bundle_are_refused():
    doc = {"a": _v1()["dataset"], "b": _v1()["dataset"]}
    assert "flera dataset (a, b)" in _bad(doc).sv


def test_monthly_periods_are_refused_since_population_is_per_year():
    doc = _cube({"Region": ["0180"], "Tid": ["2024M01"]}, [1])
    assert "2024M01" in _bad(doc).sv and "per year" in _bad(doc).en


def test_a_sum_with_a_missing_part_is_refused_rather_than_shown_too_low():
    doc = _cube({"Region": ["0180"], "Kon": ["1", "2"], "Tid": ["2024"]}, [500, None])
    error = _bad(doc)
    assert "0180 Stockholm 2024" in error.sv and "1 of 2 parts" in error.en


def test_contents_without_a_plain_population_measure_are_refused():
    doc = _cube({"Region": ["0180"], "ContentsCode": ["A", "B"], "Tid": ["2024"]}, [1, 2])
    assert "flera mått" in _bad(doc).sv


def test_invalid_json_file_names_the_line(tmp_path):
    path = write(tmp_path, "p.json", '{"dataset": {\n  "value": [1,]\n}}')
    with pytest.raises(Bad) as exc:
        jsonstat.load(path)
    assert "rad 2" in exc.value.sv


# ---- through the population importer -----------------------------------------------------


def test_population_importer_reads_json_stat_and_second_run_adds_nothing(world):
    path = RECORDED / "scb-befolkning-v2.json"
    result = run("population", world.ours.kommun, path)
    assert result.ok, result.errors
    assert result.rows_imported == 4
    assert sorted(Population.objects.values_list("municipality_code", "area", "year", "count")) == [
        ("0180", "Stockholm", 2023, 984748),
        ("0180", "Stockholm", 2024, 988943),
        ("1280", "Malmö", 2023, 362133),
        ("1280", "Malmö", 2024, 364400),
    ]
    again = run("population", world.ours.kommun, path)
    assert again.ok and again.rows_imported == 0 and again.rows_skipped == 4


def test_population_importer_rejects_broken_json_stat_and_saves_nothing(world, tmp_path):
    doc = _v2()
    doc["size"] = [2, 2, 2, 3]
    path = write(tmp_path, "p.json", json.dumps(doc))
    result = run("population", world.ours.kommun, path)
    assert not result.ok and result.errors[0].line == 0
    assert "”size” säger 3" in result.errors[0].sv
    assert not Population.objects.exists()


def test_population_importer_still_reads_csv(world, tmp_path):
    path = write(tmp_path, "p.csv", "Region;År;Folkmängd\n0180 Stockholm;2024;988943\n")
    assert run("population", world.ours.kommun, path).rows_imported == 1


# ---- the upload form ---------------------------------------------------------------------


def _form(world, kind: str, name: str):
    upload = SimpleUploadedFile(name, (RECORDED / "scb-befolkning-v2.json").read_bytes())
    return ImportForm({"kind": kind}, {"file": upload}, party=world.ours.kommun)


def test_upload_form_takes_json_for_population_and_kolada_only(world):
    assert _form(world, "population", "befolkning.json").is_valid()
    assert _form(world, "kolada", "kolada.json").is_valid()
    form = _form(world, "crime-stats", "brott.json")
    assert not form.is_valid() and "JSON-stat från SCB" in str(form.errors["file"])
    form = _form(world, "kolada", "kolada.csv")
    assert not form.is_valid() and "Kolada-nyckeltal importeras som JSON" in str(form.errors)
