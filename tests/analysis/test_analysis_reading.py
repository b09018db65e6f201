from samverkan.analysis.categories import POLICE_INITIATED
from samverkan.analysis.evaluation import rate_ratio, wdd
from samverkan.analysis.reading import read_e_test, read_rate_ratio, read_wdd


def test_wdd_reading_states_the_paper_result_in_swedish():
    res = wdd((308, 318), (207, 110), (150, 140), (178, 157))
    text = read_wdd(res, [308, 318, 207, 110, 150, 140, 178, 157])
    assert text[0].startswith("Jämfört med kontrollområdet blev det 118,0 färre brott")
    assert "större än vad slumpen" in text[1]
    assert not any("Små tal" in s for s in text)


def test_readings_warn_about_small_numbers_police_initiative_and_regression_to_the_mean():
    res = wdd((8, 9), (12, 4))
    text = " ".join(
        read_wdd(res, [8, 9, 12, 4], interpretation=POLICE_INITIATED, selected_for_high_level=True)
    )
    assert "små" in text
    assert "polisens egna insatser" in text
    assert "regression mot medelvärdet" in text
    assert "flyttat" in text


def test_rate_ratio_and_e_test_readings_mention_chance():
    rr = read_rate_ratio(rate_ratio((100, 50), (80, 60)), [100, 50, 80, 60])
    assert "33\u00a0% lägre" in rr[0]
    assert "slumpen" in rr[1]
    et = read_e_test(0.165, 25, 16)
    assert et[0] == "Antalet brott har ökat från 16 till 25 (p = 0,165)."
