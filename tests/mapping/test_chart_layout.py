"""Chart labels stay readable: line labels do not overlap, long names are not cut off."""

import re

from samverkan.mapping.charts import _spread, rate_bars, trend_chart


def test_close_line_ends_get_labels_at_least_a_line_apart():
    ys = _spread([100, 282, 280, 279, 50], 15, 20, 296)
    assert sorted(ys) == [50, 100, 266, 281, 296]
    assert ys[3] < ys[2] < ys[1]  # the order of the lines is kept


def test_trend_chart_labels_do_not_overlap():
    svg = trend_chart("t", [2020, 2021], [("A", [240, 241]), ("B", [242, 243]), ("C", [239, 240])])
    label_ys = sorted(float(y) for y in re.findall(r'<text x="508" y="([\d.]+)"', svg))
    assert len(label_ys) == 3
    assert all(b - a >= 15 for a, b in zip(label_ys, label_ys[1:], strict=False))


def test_rate_bars_leave_room_for_a_long_name():
    bars = [("Exempelkommun (er kommun)", 10_513.0, True), ("Nässjö", 9_708.0, False)]
    svg = rate_bars("t", bars)
    first_label_x = float(re.search(r'<text x="([\d.]+)"[^>]*text-anchor="end"', svg)[1])
    assert first_label_x >= 9.5 * len("Exempelkommun (er kommun)")
