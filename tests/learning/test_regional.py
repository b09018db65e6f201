"""The regional reader (issue 24): kommuner side by side from public sources only."""

from __future__ import annotations

import csv
import datetime
import io
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from samverkan.accounts import audience
from samverkan.documents.models import DocumentDecision
from samverkan.followup.models import EffectEvaluation
from samverkan.learning import regional
from samverkan.learning.models import EvaluationLabel, OpenDataPublication, RegionalScope
from samverkan.mapping.models import CrimeStatistic, Population, SituationReport
from samverkan.problems.choices import GoalKind
from samverkan.problems.models import Goal, Measure, Problem
from tests.downloads import body, get_document
from tests.factories import login_with_second_factor, make_partnership, make_user
from tests.mapping import comparison_data

SECRET = "Spaning mot gruppen vid torget"
NOT_PUBLIC = "Polisens operativa insats vid stationen"
OPEN = "Bättre belysning i gångtunneln"
SECRET_NOTE = "Intern kommentar om de sex männen"


def _publish(partnership):
    OpenDataPublication.objects.create(
        partnership=partnership,
        published=True,
        published_at=timezone.now(),
        contact_name="Samordnaren",
        contact_email="s@example.se",
    )


def _share(party):
    SituationReport.objects.get_or_create(party=party, defaults={"title": "Lägesbild"})[0].share()


def _build():
    north = make_partnership(" Nord")
    south = make_partnership(" Syd")
    west = make_partnership(" Väst")
    outside = make_partnership(" Utanför")
    p = north.partnership
    # North: Kristianstad's figures of tests/mapping/comparison_data.py, shared by the kommun.
    comparison_data.build(north.kommun)
    _share(north.kommun)
    # West publishes too, but its yearly counts are small: no rate may be shown for it.
    CrimeStatistic.objects.filter(party=west.kommun).delete()
    for year, count in ((2023, 3), (2024, 2)):
        CrimeStatistic.objects.create(
            party=west.kommun, area="Väst", offence="Rån", category="Rån", year=year, count=count
        )
        Population.objects.create(party=west.kommun, area="Väst", year=year, count=9_000)
    _share(west.kommun)
    _publish(west.partnership)
    problem = Problem.objects.create(partnership=p, title="Rån vid stationen", crime_type="Rån")
    goal = Goal.objects.create(
        partnership=p, problem=problem, kind=GoalKind.EFFECT, text="Färre rån", indicator="Rån"
    )
    for number, (title, confidential, publishable) in enumerate(
        [(OPEN, False, True), (SECRET, True, False), (NOT_PUBLIC, False, False)], start=50
    ):
        m = Measure.objects.create(
            partnership=p,
            problem=problem,
            number=number,
            title=title,
            responsible_party=north.kommun,
            confidential=confidential,
            publishable=publishable,
        )
        if confidential:
            m.allowed_parties.add(north.polis)
    for treated, control in (((60, 40), (50, 48)), ((3, 1), (20, 22))):
        ev = EffectEvaluation.objects.create(
            partnership=p,
            goal=goal,
            indicator="Rån",
            period_before="2024",
            period_after="2025",
            treated_area="Stationen",
            treated_before=treated[0],
            treated_after=treated[1],
            control_area="Övriga",
            control_before=control[0],
            control_after=control[1],
            note=SECRET_NOTE,
        )
        EvaluationLabel.objects.create(evaluation=ev, method="miljo", place_type="trafik")
    DocumentDecision.objects.update_or_create(
        partnership=p,
        kind="lagesbild",
        defaults={"body": "Kommunstyrelsen", "decided_on": datetime.date(2026, 3, 1)},
    )
    _publish(p)
    scope = RegionalScope.objects.create(name="Länsstyrelsen i Exempellän", kind="lansstyrelse")
    scope.municipalities.add(
        p.municipality, south.partnership.municipality, west.partnership.municipality
    )
    reader = make_user("lansreader")
    scope.readers.add(reader)
    stranger = make_user("inte_lasare")
    admin = make_user("lansadmin")
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    return SimpleNamespace(
        scope=scope,
        reader=reader,
        stranger=stranger,
        admin=admin,
        north=north,
        south=south,
        west=west,
        outside=outside,
    )


@pytest.fixture(scope="module")
def built(kept):
    return kept(_build)


@pytest.fixture
def region(built, db):
    return built


def test_reader_sees_kommuner_side_by_side(client, region):
    client.force_login(region.reader)
    assert region.scope.name in client.get(reverse("learning:regions")).content.decode()
    html = client.get(reverse("learning:region", kwargs={"scope_id": region.scope.pk})).content
    html = html.decode()
    assert str(region.north.partnership.municipality) in html
    assert str(region.south.partnership.municipality) in html
    assert str(region.outside.partnership.municipality) not in html
    assert "Kommunstyrelsen" in html  # the lägesbild decision
    assert "Publicerar inte" in html  # the south does not publish open data


def test_regional_walk_finds_nothing_beyond_public_editions(client, region):
    client.force_login(region.reader)
    pages = [
        client.get(reverse("learning:regions")),
        client.get(reverse("learning:region", kwargs={"scope_id": region.scope.pk})),
        client.get(reverse("learning:region_csv", kwargs={"scope_id": region.scope.pk})),
    ]
    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        for hidden in (SECRET, NOT_PUBLIC, SECRET_NOTE):
            assert hidden not in text
    # The reader belongs to no partnership: every partnership page stays closed.
    p = region.north.partnership
    for name in ("partnerships:parties", "followup:home", "learning:publish"):
        assert client.get(reverse(name, kwargs={"pk": p.pk})).status_code == 404


def test_csv_lists_every_kommun_of_the_scope(client, region):
    client.force_login(region.reader)
    response = client.get(reverse("learning:region_csv", kwargs={"scope_id": region.scope.pk}))
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [r["kommun"] for r in rows] == sorted(
        str(w.partnership.municipality) for w in (region.north, region.south, region.west)
    )
    north = next(r for r in rows if r["kommun"] == str(region.north.partnership.municipality))
    assert north["lagesbild_beslutad"] == "2026-03-01"
    assert north["publicerar_oppna_data"] == "ja"
    # Only the measures a public edition shows in full (ours: the open one, not the others).
    public = audience.public()
    shown = [
        m
        for m in Measure.objects.filter(partnership=region.north.partnership)
        if public.receives(m)
    ]
    assert OPEN in [m.title for m in shown]
    assert north["atgarder"] == str(len(shown))


def test_other_users_get_404(client, region):
    client.force_login(region.stranger)
    assert (
        client.get(reverse("learning:region", kwargs={"scope_id": region.scope.pk})).status_code
        == 404
    )
    assert (
        client.get(reverse("learning:region_csv", kwargs={"scope_id": region.scope.pk})).status_code
        == 404
    )
    client.logout()
    response = client.get(reverse("learning:region", kwargs={"scope_id": region.scope.pk}))
    assert response.status_code == 302


def _row(rows, world):
    return next(r for r in rows if r.name == str(world.partnership.municipality))


def test_rates_per_100k_with_exact_interval_against_the_comparison_group(region):
    rows = regional.rows_for(region.scope)
    rates = _row(rows, region.north).rates
    # comparison_data: 700, 760, 800 offences in 80 000 inhabitants; the group's mean of Lund
    # and Uppsala 800, 825, 850 (Växjö has no population).
    assert [(y.year, round(y.rate)) for y in rates.years] == [
        (2022, 875),
        (2023, 950),
        (2024, 1000),
    ]
    latest = rates.latest
    # Exact Poisson limits of 800 (745.6, 857.5), scaled by 100 000 / 80 000.
    assert latest.low == pytest.approx(745.6 * 1.25, abs=0.5)
    assert latest.high == pytest.approx(857.5 * 1.25, abs=0.5)
    assert latest.group_mean == pytest.approx(850)
    assert latest.position == "över snittet (hela intervallet)"
    assert rates.group == ["Lund", "Uppsala", "Växjö"]
    assert rates.own_trend.slope == pytest.approx(62.5)
    assert rates.group_trend.slope == pytest.approx(25)


def test_small_counts_and_missing_figures_say_so_instead_of_a_rate(region):
    rows = regional.rows_for(region.scope)
    west = _row(rows, region.west).rates
    assert west.years == [] and west.withheld == 2
    assert west.missing == "uppgift saknas: antalen är för små för att visas offentligt"
    south = _row(rows, region.south).rates
    assert south.years == []
    assert south.missing == "uppgift saknas: kommunen publicerar inte öppna data"


def test_page_and_csv_show_the_rates_and_never_a_small_count(client, region):
    client.force_login(region.reader)
    html = client.get(reverse("learning:region", kwargs={"scope_id": region.scope.pk}))
    text = html.content.decode()
    assert "1\u00a0000" in text and "932–1\u00a0072" in text
    assert "Uppgift saknas: antalen är för små för att visas offentligt" in text
    csv_text = client.get(
        reverse("learning:region_csv", kwargs={"scope_id": region.scope.pk})
    ).content.decode("utf-8-sig")
    rows = {r["kommun"]: r for r in csv.DictReader(io.StringIO(csv_text), delimiter=";")}
    north = rows[str(region.north.partnership.municipality)]
    assert (north["brott_ar"], north["brott_per_100000"], north["intervall_95_lag"]) == (
        "2024",
        "1000",
        "932",
    )
    assert north["jamforelsekommuner_snitt"] == "850"
    west = rows[str(region.west.partnership.municipality)]
    assert west["brott_per_100000"] == "" and "för små" in west["brott_uppgift_saknas"]


def test_administrator_reads_every_scope(client, region):
    login_with_second_factor(client, region.admin)
    assert region.scope.name in client.get(reverse("learning:regions")).content.decode()
    url = reverse("learning:region", kwargs={"scope_id": region.scope.pk})
    assert client.get(url).status_code == 200


@pytest.fixture(scope="module")
def summary_pdf(kept, built):
    """The regional summary printed once for the module, as the reader downloads it."""
    from django.test import Client

    def build():
        client = Client()
        client.force_login(built.reader)
        url = reverse("learning:region_document", kwargs={"scope_id": built.scope.pk, "fmt": "pdf"})
        from django.http import HttpResponse

        response = get_document(client, url)
        return HttpResponse(
            body(response), status=response.status_code, content_type=response["Content-Type"]
        )

    return kept(build)


def test_summary_document_shows_the_page_rows_and_nothing_hidden(region):
    doc = regional.summary_document(region.scope, regional.rows_for(region.scope))
    text = "\n".join(doc.text_lines())
    assert "Kommunstyrelsen" in text and "1\u00a0000 (932–1\u00a0072)" in text
    assert "Uppgift saknas: antalen är för små för att visas offentligt" in text
    for hidden in (SECRET, NOT_PUBLIC, SECRET_NOTE):
        assert hidden not in text


def test_summary_pdf_passes_pdf_ua_1_checks(summary_pdf, region):
    from samverkan.documents import accessibility

    assert summary_pdf.status_code == 200
    assert summary_pdf["Content-Type"] == "application/pdf"
    result = accessibility.check_pdf(summary_pdf.content)
    assert result.checkers == ["outloud", "pdfua"]
    assert result.findings == [], "\n".join(str(f) for f in result.findings)


def test_summary_word_file_for_the_reader_only(client, region):
    url = reverse("learning:region_document", kwargs={"scope_id": region.scope.pk, "fmt": "docx"})
    client.force_login(region.stranger)
    assert client.get(url).status_code == 404
    client.force_login(region.reader)
    response = get_document(client, url)
    assert response.status_code == 200
    content = body(response)
    assert content.startswith(b"PK")  # a Word file is a zip
    import docx

    word = docx.Document(io.BytesIO(content))
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    text = "\n".join([p.text for p in word.paragraphs] + cells)
    assert "Regional sammanställning" in text and "Kommunstyrelsen" in text
    for hidden in (SECRET, NOT_PUBLIC, SECRET_NOTE):
        assert hidden not in text


def test_summary_is_rendered_in_a_job_not_in_the_request(client, region, monkeypatch):
    """The download starts a job and sends the reader to its page; the job renders the file;
    the page then sends the reader back, and the file is served as it was stored: to other
    readers of the scope too, without rendering it again. Strangers see neither page."""
    from samverkan.documents import docx_builder
    from samverkan.jobs import registry
    from samverkan.jobs.models import Job

    url = reverse("learning:region_document", kwargs={"scope_id": region.scope.pk, "fmt": "docx"})
    rendered = []
    real = docx_builder.to_docx
    monkeypatch.setattr(docx_builder, "to_docx", lambda doc: rendered.append(1) or real(doc))
    client.force_login(region.reader)
    response = client.get(url)
    assert response.status_code == 302 and rendered == []
    job_page = response.url
    (record,) = Job.objects.filter(kind="learning.region_document", params__fmt="docx")
    assert job_page == reverse(
        "learning:region_job", kwargs={"scope_id": region.scope.pk, "job_id": record.pk}
    )
    # Asked again while it is queued: the same job, not a second one.
    assert client.get(url).url == job_page
    page = client.get(job_page)
    assert page.status_code == 200 and "hx-get" in page.content.decode()
    client.force_login(region.stranger)
    assert client.get(job_page).status_code == 404
    client.force_login(region.reader)
    assert registry.run_job(record.pk).status == "done" and rendered == [1]
    back = client.get(job_page)
    assert back.status_code == 302 and back.url == url
    first = body(client.get(url))
    assert first.startswith(b"PK")
    login_with_second_factor(client, region.admin)
    assert body(client.get(url)) == first and rendered == [1]
    assert Job.objects.filter(kind="learning.region_document", params__fmt="docx").count() == 1


def test_lag_status_of_a_kommun_that_does_not_publish(client, region):
    """The south's partnership does not publish open data: its Lag (2023:196) status is still
    the public record (decided when, by whom, diarienummer, due for review; a named
    samordningsfunktion by its title), on the page, in the CSV and in the summary; its
    coordinator's name and contact details, the decided document and its figures are not."""
    from samverkan.partnerships.models import Coordinator

    south = region.south.partnership
    DocumentDecision.objects.update_or_create(
        partnership=south,
        kind="atgardsplan",
        defaults={
            "body": "Kommunfullmäktige i Syd",
            "decided_on": datetime.date(2025, 11, 20),
            "reference": "KS 2025/117",
        },
    )
    Coordinator.objects.update_or_create(
        party=region.south.kommun,
        defaults={
            "name": "Alva Hemligsson",
            "title": "Trygghetssamordnare",
            "email": "alva.hemligsson@syd.example.se",
            "phone": "070-111 22 33",
        },
    )
    assert not OpenDataPublication.objects.filter(partnership=south, published=True).exists()
    client.force_login(region.reader)
    html = client.get(reverse("learning:region", kwargs={"scope_id": region.scope.pk}))
    html = html.content.decode()
    name = str(south.municipality)
    status = html.split('id="status-caption"', 1)[1].split("</table>", 1)[0]
    row = status.split(name, 1)[1].split("</tr>", 1)[0]
    assert "20 november 2025, Kommunfullmäktige i Syd, dnr KS 2025/117" in row
    assert "ses över senast 20 november 2026" in row
    assert "Utsedd: Trygghetssamordnare" in row
    assert "Publicerar inte" in row
    response = client.get(reverse("learning:region_csv", kwargs={"scope_id": region.scope.pk}))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    (line,) = [r for r in rows if r["kommun"] == name]
    assert line["atgardsplan_beslutad"] == "2025-11-20"
    assert line["atgardsplan_diarienummer"] == "KS 2025/117"
    assert (line["samordningsfunktion"], line["samordningsfunktion_befattning"]) == (
        "ja",
        "Trygghetssamordnare",
    )
    assert line["publicerar_oppna_data"] == "nej" and line["brott_per_100000"] == ""
    doc = regional.summary_document(region.scope, regional.rows_for(region.scope))
    text = "\n".join(doc.text_lines())
    assert "Kommunfullmäktige i Syd, dnr KS 2025/117" in text
    assert "Utsedd: Trygghetssamordnare" in text
    for shown in (html, response.content.decode("utf-8-sig"), text):
        for private in ("Alva Hemligsson", "alva.hemligsson", "070-111 22 33"):
            assert private not in shown


def test_counts_in_the_database_equal_the_open_data_they_count(region):
    """The page and the CSV count each kommun's published measures and results in the
    database; the counts equal the open data's own rows (built by ``opendata``)."""
    full = regional.rows_for(region.scope)
    counted = regional.rows_for(region.scope, with_results=False)
    assert [(r.name, len(r.measures), len(r.results)) for r in full] == [
        (r.name, r.measure_count, r.result_count) for r in counted
    ]
    assert any(r.measure_count for r in counted) and any(r.result_count for r in counted)


def test_summary_document_draws_each_pooled_kind_as_a_forest_plot(region, monkeypatch):
    from samverkan.documents.structure import Chart
    from samverkan.learning import evidence

    rows = [
        {"typ_av_atgard": "kamera", "kommun": k, "indikator": "Rån", "log_kvot": y, "varians": v}
        for k, y, v in (("A-stad", -0.3, 0.02), ("B-by", -0.1, 0.03))
    ]
    monkeypatch.setattr(regional, "region_groups", lambda scope: evidence.groups(rows))
    doc = regional.summary_document(region.scope, regional.rows_for(region.scope))
    (section,) = [s for s in doc.sections if s.heading == "Sammanvägd kunskap i regionen"]
    charts = [b for sub in section.subsections for b in sub.blocks if isinstance(b, Chart)]
    (chart,) = charts
    assert chart.label.startswith("Figur") and chart.caption == "Skogsdiagram: Kamerabevakning"
    assert chart.alt.startswith("Skogsdiagram: 2 utvärderingar av kamerabevakning")
    assert chart.png.startswith(b"\x89PNG")
