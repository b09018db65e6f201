"""The demo's step 2: each signing party has its own mapping of the worked example, imported
through the real importers, with a shared lägesbild, and nothing of it leaks before sharing."""

import datetime

from django.urls import reverse
from django.utils import timezone

from samverkan.accounts import access
from samverkan.accounts.models import User
from samverkan.mapping import demo as step2
from samverkan.mapping import services, stats
from samverkan.mapping.choices import ImportStatus
from samverkan.mapping.models import (
    Activity,
    CrimeCost,
    CrimeStatistic,
    DataSource,
    ExperienceNote,
    Import,
    Incident,
    Population,
    Resource,
    SafetyWalkObservation,
    SituationReport,
    SurveyResult,
)
from samverkan.process import checklists
from samverkan.process import demo as process_demo

NAME = "Samverkan för ett tryggare centrum"


def _local(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day))


def test_both_signing_parties_have_a_full_mapping(demo):
    for party in (demo.municipality_party(), demo.police_party()):
        for model in (Incident, CrimeStatistic, Population, SurveyResult, Resource, Activity):
            assert model.objects.filter(party=party).exists(), (party, model.__name__)
        assert ExperienceNote.objects.filter(party=party).count() >= 3, party
        used = DataSource.objects.filter(party=party, left_out=False)
        assert used.count() >= 4, party
        assert all(s.covers and s.period and s.limitations and s.reason for s in used), party
        left_out = DataSource.objects.get(party=party, left_out=True)
        assert left_out.left_out_reason, party
        imports = Import.objects.filter(party=party)
        assert imports.count() == 4, party
        assert set(imports.values_list("status", flat=True)) == {ImportStatus.DONE}
        assert not imports.filter(source=None).exists(), "every import names its data source"
        assert all(i.created_at.year == 2010 for i in imports), "on the demo's timeline"
    kommun = demo.municipality_party()
    assert SafetyWalkObservation.objects.filter(party=kommun, x__isnull=False).count() >= 6
    assert CrimeCost.objects.filter(party=kommun, year=2009).count() >= 3


def test_police_incidents_tell_the_worked_examples_story(demo):
    police = demo.police_party()
    incidents = Incident.objects.filter(party=police)
    assert 3000 <= incidents.count() <= 4000
    span = incidents.order_by("occurred_from")
    assert span.first().occurred_from >= _local(2007, 1, 1)
    assert span.last().occurred_from < _local(2010, 4, 12)
    # Outdoor assault jan–apr 2010 against jan–apr 2009: +22 % (torget.yaml, problem.trend).
    outdoor = incidents.filter(offence="Misshandel utomhus")

    def jan_to_apr(year):
        return outdoor.filter(
            occurred_from__gte=_local(year, 1, 1), occurred_from__lt=_local(year, 4, 12)
        ).count()

    before, after = jan_to_apr(2009), jan_to_apr(2010)
    assert round(100 * (after - before) / before) == 22
    # The square is the place with most incidents and lies in a hot spot.
    assert stats.top_places(police, 1).places[0].place == "Busstorget"
    hot = stats.hotspots(police).cells
    square = step2.places(process_demo.MAPPING)["Busstorget"]
    assert any(abs(c.x - square.x) <= 100 and abs(c.y - square.y) <= 100 for c in hot)
    # Violence peaks in the small hours after Friday and Saturday nights.
    assert {day for day, hour in stats.peak_times(police)} <= {"lördag", "söndag"}
    assert all(hour in (1, 2, 3) for _day, hour in stats.peak_times(police))
    # Fritidsgården J: almost only Thursdays (torget.yaml, times).
    youth = incidents.filter(place="Fritidsgården J", offence="Misshandel utomhus")
    thursdays = [i for i in youth if timezone.localtime(i.occurred_from).weekday() == 3]
    assert youth.count() and len(thursdays) == youth.count()


def test_both_parties_read_the_same_bra_figures_and_the_police_compare(demo):
    kommun, police = demo.municipality_party(), demo.police_party()
    assert CrimeStatistic.objects.filter(party=kommun).count() == 16 * 4
    police_own = CrimeStatistic.objects.filter(party=police, area="Exempelkommun")
    for offence, year, count in police_own.values_list("offence", "year", "count"):
        assert CrimeStatistic.objects.get(party=kommun, offence=offence, year=year).count == count
    compared = CrimeStatistic.objects.filter(party=police).exclude(area="Exempelkommun")
    assert set(compared.values_list("municipality_code", flat=True)) == {"0483", "0682", "1499"}
    assert Population.objects.filter(party=police, municipality_code="0483").count() == 4
    assert police.comparison_municipalities.codes == ["0483", "0682", "1499"]
    # The comparison rows stay out of the police's own figures.
    trend = stats.category_trend(police)
    assert sum(trend.totals_by_year[2009].values()) == 3359
    assert stats.latest_rate(police).population == 31950


def test_each_party_has_shared_a_lagesbild_about_the_square(demo):
    reports = {r.party_id: r for r in SituationReport.objects.filter(party__partnership=demo)}
    for party in (demo.municipality_party(), demo.police_party()):
        report = reports[party.pk]
        assert report.is_shared()
        assert report.shared_at.date() < datetime.date(2010, 4, 20), "before the joint picture"
        text = report.text.lower()
        assert "busstorget" in text
        assert report.text.startswith(services.draft_text(party).split("\n\n")[0])
    police_text = reports[demo.police_party().pk].text
    assert "(+22\u00a0%)" in police_text
    assert "lördag kl. 02–03" in police_text or "söndag kl. 02–03" in police_text
    shared = {r.party_name for r in services.shared_situation_reports(demo)}
    assert shared == {"Exempelkommun", "Lokalpolisområde Exempel"}


def test_step_2_checklist_is_complete_and_the_demo_stands_in_step_3(demo):
    checklist = checklists.checklist_for(demo, 2)
    assert [item.label for item in checklist.items if not item.done] == []
    assert checklists.current_step(demo) == 3


def test_police_mapping_is_private_to_the_police_until_shared(demo, client):
    police, kommun = demo.police_party(), demo.municipality_party()
    municipal = User.objects.get(username="demo.kommun")
    officer = User.objects.get(username="demo.polis")
    police.situation_report.unshare()

    assert not access.may_see_private(municipal, police)
    assert access.may_see_private(officer, police)
    assert list(access.private_parties_for(municipal, demo)) == [kommun]
    assert "Lokalpolisområde Exempel" not in {
        r.party_name for r in services.shared_situation_reports(demo)
    }
    client.force_login(municipal)
    party_url = {"pk": demo.pk, "party_id": police.pk}
    for name in ("mapping:statistics", "mapping:report", "mapping:workspace"):
        assert client.get(reverse(name, kwargs=party_url)).status_code == 404, name
    shared_page = reverse("mapping:shared_reports", kwargs={"pk": demo.pk})
    assert "Polisens bedömning" not in client.get(shared_page).content.decode()

    police.situation_report.share()
    assert "Polisens bedömning" in client.get(shared_page).content.decode()
    # Sharing the lägesbild shares that text only: the numbers stay the police's own.
    assert client.get(reverse("mapping:statistics", kwargs=party_url)).status_code == 404
    assert not access.may_see_private(municipal, police)


def test_the_police_see_their_own_statistics_page(demo, client):
    client.force_login(User.objects.get(username="demo.polis"))
    url = reverse("mapping:statistics", kwargs={"pk": demo.pk, "party_id": demo.police_party().pk})
    page = client.get(url).content.decode()
    assert "Busstorget" in page and "Katrineholm" in page


def test_incident_files_are_the_same_every_time(db):
    town = step2.places(process_demo.MAPPING)
    spec = step2.read_yaml(process_demo.MAPPING / "polis.yaml")["incidents"]
    first, second = step2.incident_rows(spec, town), step2.incident_rows(spec, town)
    assert first == second
    assert len(first) == sum(sum(o["counts"]) for o in spec["offences"])
    assert len({row[0] for row in first}) == len(first), "case numbers are unique"
