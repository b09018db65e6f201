import pytest

from samverkan.analysis.categories import (
    DEFAULT_TABLE,
    POLICE_INITIATED,
    VICTIM_WITH_INTERACTION,
    VICTIM_WITHOUT_INTERACTION,
    CategoryTable,
    classify,
)


@pytest.mark.parametrize(
    ("name", "interpretation"),
    [
        ("Misshandel", VICTIM_WITH_INTERACTION),
        ("Rån", VICTIM_WITH_INTERACTION),
        ("Olaga hot", VICTIM_WITH_INTERACTION),
        ("Bostadsinbrott", VICTIM_WITHOUT_INTERACTION),
        ("Stöld ur bil", VICTIM_WITHOUT_INTERACTION),
        ("Skadegörelse", VICTIM_WITHOUT_INTERACTION),
        ("Narkotikabrott", POLICE_INITIATED),
        ("Ringa narkotikabrott", POLICE_INITIATED),
        ("Trafikbrott", POLICE_INITIATED),
        ("Rattfylleri", POLICE_INITIATED),
        ("Olovlig körning", POLICE_INITIATED),
    ],
)
def test_handbook_examples_fall_in_the_right_interpretation_category(name, interpretation):
    assert classify(name).interpretation == interpretation


def test_handbook_table_rows_keep_their_group():
    assert classify("Misshandel utomhus").group == "Brott mot liv och hälsa"
    assert classify("Klotter").group == "Skadegörelse"
    assert classify("Narkotikabrott innehav").group == "Alkohol- och narkotikabrott"


def test_unknown_names_use_pattern_rules_without_false_matches():
    assert classify("Stöld från bil").interpretation == VICTIM_WITHOUT_INTERACTION
    assert classify("Grovt rån").interpretation == VICTIM_WITH_INTERACTION
    assert classify("Mordbrand").group == "Skadegörelse"
    assert classify("  OLAGA   hot ").interpretation == VICTIM_WITH_INTERACTION
    assert classify("Hotell") is None


def test_an_edited_table_round_trips_through_plain_data():
    data = DEFAULT_TABLE.to_dict()
    data["offences"]["Eget bruk"] = {
        "group": "Alkohol- och narkotikabrott",
        "interpretation": POLICE_INITIATED,
    }
    table = CategoryTable.from_dict(data)
    assert classify("eget bruk", table).interpretation == POLICE_INITIATED
    data["offences"]["X"] = {"group": "Y", "interpretation": "nonsense"}
    with pytest.raises(ValueError, match="unknown interpretation"):
        CategoryTable.from_dict(data)
