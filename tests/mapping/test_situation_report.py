"""The lägesbild: a deterministic draft from known numbers, edited, shared, then readable."""

import datetime

from django.urls import reverse
from django.utils import timezone

from samverkan.mapping import services
from samverkan.mapping.models import CrimeStatistic, Incident, SituationReport


def _data(party):
    CrimeStatistic.objects.filter(party=party).delete()
    Incident.objects.filter(party=party).delete()
    for year, assault, burglary in ((2023, 100, 60), (2024, 130, 40)):
        CrimeStatistic.objects.create(
            party=party,
            area="Teststad",
            offence="Misshandel",
            category="Brott mot liv och hälsa",
            year=year,
            count=assault,
        )
        CrimeStatistic.objects.create(
            party=party,
            area="Teststad",
            offence="Bostadsinbrott",
            category="Stöld, rån och andra tillgreppsbrott",
            year=year,
            count=burglary,
        )
    when = timezone.make_aware(datetime.datetime(2024, 6, 7, 23, 10))  # a Friday
    for i in range(6):
        Incident.objects.create(
            party=party, key=f"T{i}", offence="Misshandel", place="Torget", occurred_from=when
        )
    Incident.objects.create(
        party=party, key="P1", offence="Misshandel", place="Parken", occurred_from=when
    )


def test_draft_names_rise_place_and_time_from_known_numbers(world):
    party = world.ours.kommun
    _data(party)
    text = services.draft_text(party)
    assert "2023–2024" in text and "170 brott" in text.replace("\u00a0", " ")
    assert "brott mot liv och hälsa från 100 till 130 (+30\u00a0%)" in text
    assert "från 60 till 40" in text
    assert "Torget (6)" in text and "Parken" not in text  # 1 is below the threshold of 5
    assert "fredag kl. 23–00" in text
    assert services.draft_text(party) == text  # deterministic


def test_draft_names_a_single_year_once(world):
    party = world.ours.kommun
    _data(party)
    CrimeStatistic.objects.filter(party=party, year=2023).delete()
    text = services.draft_text(party)
    assert "Underlaget omfattar anmälda brott 2024. År 2024" in text
    assert "2024–2024" not in text


def test_other_party_reads_report_only_after_sharing(client, world):
    party = world.ours.kommun
    _data(party)
    client.force_login(world.alice)
    base = {"pk": world.ours.partnership.pk, "party_id": party.pk}
    client.post(reverse("mapping:report_draft", kwargs=base))
    report = SituationReport.objects.get(party=party)
    assert report.status == "draft" and "Torget" in report.text
    client.post(
        reverse("mapping:report_edit", kwargs=base),
        {
            "title": "Kommunens lägesbild",
            "text": report.text + "\n\nVåra iakttagelser.",
            "version": report.version,
        },
    )
    shared_url = reverse("mapping:shared_reports", kwargs={"pk": world.ours.partnership.pk})

    client.force_login(world.bob)
    assert client.get(reverse("mapping:report", kwargs=base)).status_code == 404
    assert "Kommunens lägesbild" not in client.get(shared_url).content.decode()
    assert services.shared_situation_reports(world.ours.partnership) == []

    client.force_login(world.alice)
    client.post(reverse("mapping:report_share", kwargs=base))
    client.force_login(world.bob)
    page = client.get(shared_url).content.decode()
    assert "Kommunens lägesbild" in page and "Våra iakttagelser." in page
    [shared] = services.shared_situation_reports(world.ours.partnership)
    assert shared.party_id == party.pk and shared.title == "Kommunens lägesbild"
    assert client.get(reverse("mapping:report", kwargs=base)).status_code == 404  # still private

    client.force_login(world.mallory)
    assert client.get(shared_url).status_code == 404


def test_time_spans_are_converted_to_swedish_time_across_daylight_saving():
    import numpy as np

    from samverkan.mapping.subjects.incidents import _to_local

    utc = np.array(["2025-03-30T00:30", "2025-07-01T00:00"], dtype="datetime64[m]")
    local = _to_local(utc)
    assert [str(v) for v in local] == ["2025-03-30T01:30", "2025-07-01T02:00"]


def test_incident_trend_counts_new_years_eve_in_swedish_time(world):
    from samverkan.mapping import stats

    party = world.ours.kommun
    CrimeStatistic.objects.filter(party=party).delete()
    Incident.objects.filter(party=party).delete()
    late = timezone.make_aware(datetime.datetime(2024, 12, 31, 23, 30))  # 22:30 UTC
    after = timezone.make_aware(datetime.datetime(2025, 1, 1, 0, 30))  # UTC still says 2024
    group = "Stöld, rån och andra tillgreppsbrott"
    for key, when in (("A", late), ("B", after)):
        Incident.objects.create(
            party=party, key=key, offence="Rån", category=group, occurred_from=when
        )
    trend = stats.category_trend(party)
    assert trend.source == "incidents" and trend.years == [2024, 2025]
    assert trend.totals_by_year == {2024: {group: 1}, 2025: {group: 1}}


def test_heat_map_spreads_a_time_span_over_its_hours(world):
    from samverkan.mapping import stats

    party = world.ours.kommun
    Incident.objects.filter(party=party).delete()
    start = timezone.make_aware(datetime.datetime(2024, 6, 7, 22, 0))  # Friday, summer time
    Incident.objects.create(
        party=party, key="S", offence="Klotter", occurred_from=start,
        occurred_to=start + datetime.timedelta(hours=2),
    )  # fmt: skip
    matrix = stats.weekday_hour(party)
    assert matrix[4, 22] == 0.5 and matrix[4, 23] == 0.5 and matrix.sum() == 1
