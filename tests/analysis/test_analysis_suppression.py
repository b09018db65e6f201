import pytest

from samverkan.analysis.suppression import MARKER, suppress, suppress_rows, suppress_table


def test_counts_below_five_are_replaced_by_the_marker():
    assert suppress(4) == MARKER
    assert suppress(5) == 5
    assert suppress(1, threshold=3, marker=None) is None


def test_zero_is_shown_unless_asked_otherwise():
    assert suppress(0) == 0
    assert suppress(0, suppress_zero=True) == MARKER


def test_suppress_table_and_rows_keep_their_shape():
    assert suppress_table({"A": 12, "B": 2}) == {"A": 12, "B": MARKER}
    assert suppress_rows([[1, 7], [0, 3]]) == [[MARKER, 7], [0, MARKER]]


def test_suppression_rejects_negative_counts_and_bad_threshold():
    with pytest.raises(ValueError):
        suppress(-1)
    with pytest.raises(ValueError):
        suppress(3, threshold=0)
