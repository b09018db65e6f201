import pytest

from samverkan.analysis.concentration import counts_by_place, places_for_share, top_share


def test_counts_by_place_sorts_largest_first_and_breaks_ties_by_name():
    res = counts_by_place(["Torget", "Stationen", "Torget", "Parken", "Stationen", "Torget", None])
    assert [(p.place, p.count) for p in res] == [("Torget", 3), ("Stationen", 2), ("Parken", 1)]


def test_top_share_of_two_busiest_places():
    res = top_share({"A": 50, "B": 30, "C": 10, "D": 10}, 2)
    assert res.top_count == 80
    assert res.total == 100
    assert res.share == pytest.approx(0.8)
    assert [p.place for p in res.places] == ["A", "B"]


def test_top_share_with_no_offences_has_no_share():
    assert top_share({"A": 0}, 1).share is None
    with pytest.raises(ValueError):
        top_share({"A": 1}, 0)


def test_places_for_share_counts_places_needed_for_half_of_offences():
    counts = {"A": 50, "B": 30, "C": 10, "D": 10}
    assert places_for_share(counts, 0.5) == 1
    assert places_for_share(counts, 0.8) == 2
    assert places_for_share(counts, 1.0) == 4
