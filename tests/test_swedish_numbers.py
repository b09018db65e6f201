"""Number fields take numbers as Swedes write them: "1 250 000", "0,30", "−5"."""

from decimal import Decimal

import pytest
from django.urls import reverse

from samverkan.followup.forms import EvaluationForm
from samverkan.lib.forms import swedish_number_input
from samverkan.mapping.forms import CrimeCostForm


@pytest.mark.parametrize(
    "typed,read",
    [
        ("1 250 000", "1250000"),
        ("1\u00a0250\u202f000", "1250000"),
        ("0,30", "0.30"),
        ("−5", "-5"),
        (" 12 ", "12"),
    ],
)
def test_swedish_input_is_read(typed, read):
    assert swedish_number_input(typed) == read


def test_amount_with_spaces_and_decimal_comma_is_accepted(db):
    form = CrimeCostForm(
        {"item": "Skadegörelse", "amount": "1 250 000,50", "year": "2 025", "source": "Brå"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal("1250000.50")
    assert form.cleaned_data["year"] == 2025


def test_nonsense_still_gets_a_swedish_message(db):
    form = CrimeCostForm({"item": "X", "amount": "mycket", "year": "2025", "source": ""})
    assert not form.is_valid()
    assert form.errors["amount"] == ["Fyll i ett tal."]


def test_number_fields_are_text_inputs_with_a_numeric_keyboard(world):
    form = EvaluationForm(partnership=world.ours.partnership)
    html = str(form["treated_before"])
    assert 'type="text"' in html and 'inputmode="numeric"' in html
    assert 'inputmode="decimal"' in str(form["survey_before"])


def test_evaluation_page_accepts_grouped_counts(client, world):
    client.force_login(world.alice)
    partnership = world.ours.partnership
    goal = partnership.goals.get(kind="effect")
    response = client.post(
        reverse("followup:evaluation_create", kwargs={"pk": partnership.pk}),
        {
            "goal": goal.pk,
            "indicator": "Anmälda brott",
            "interpretation": "victim_interaction",
            "period_before": "2024",
            "period_after": "2025",
            "treated_area": "Hela kommunen",
            "treated_before": "1 250",
            "treated_after": "1 100",
            "survey_question": "Trygg",
            "survey_before": "23,5",
            "survey_before_n": "1 000",
            "survey_after": "30,0",
            "survey_after_n": "1 000",
        },
    )
    assert response.status_code == 302, response.content.decode()
    evaluation = partnership.evaluations.latest("id")
    assert (evaluation.treated_before, evaluation.survey_before) == (1250, 23.5)


def test_problem_scores_say_what_0_and_5_mean(world):
    from samverkan.problems.forms import ProblemForm

    form = ProblemForm(partnership=world.ours.partnership)
    assert form.fields["trend"].help_text.startswith("0 = minskar tydligt")
    assert all(form.fields[n].help_text for n in ("frequency", "harm", "concern"))


def test_downloads_have_swedish_names(world):
    from samverkan.documents.services import file_name

    partnership = world.ours.partnership
    partnership.name = "Trygg i Åby–Östra Ärla"
    assert file_name(partnership, "agreement", "internal", "pdf", 3) == (
        "overenskommelse-intern-trygg-i-aby-ostra-arla-v3.pdf"
    )
    name = file_name(partnership, "followup", "public", "docx")
    assert name.startswith("uppfoljningsrapport-offentlig-trygg-i-") and name.endswith(".docx")
    assert name.isascii()
    partnership.name = "Ååå!"
    assert file_name(partnership, "lagesbild", "internal", "pdf", 1) == (
        "lagesbild-intern-aaa-v1.pdf"
    )
    partnership.name = "!!!"
    assert file_name(partnership, "lagesbild", "internal", "pdf", 1) == (
        f"lagesbild-intern-samverkan-{partnership.pk}-v1.pdf"
    )


def test_charts_count_in_whole_swedish_numbers():
    from samverkan.documents import charts

    # As the tables write numbers (lib/numbers.py): no-break spaces inside and before the unit.
    assert charts._number(80000, "kr") == "80\u00a0000\u00a0kr"
    assert charts._number(0.3, "") == "0,3"
    chart = charts.bar_chart(
        ["Rån", "Stöld"], [1, 2], caption="Händelser", source="Test", axis_label="Antal"
    )
    assert "0,25" not in chart.svg and "0.25" not in chart.svg


def test_problem_form_is_grouped_with_the_triangle_visible_from_the_start(client, world):
    client.force_login(world.alice)
    page = client.get(
        reverse("problems:problem_create", kwargs={"pk": world.ours.partnership.pk})
    ).content.decode()
    groups = [
        "Problemet",
        "Underlag för prioriteringen",
        "Händelsekedjan",
        "Problemanalystriangeln",
    ]
    positions = [page.index(f"<legend>{g}</legend>") for g in groups]
    assert positions == sorted(positions)
    assert page.index("Problemanalystriangeln") < page.index('name="pat_manager"')
    assert page.count('name="version"') == 1
