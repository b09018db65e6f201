"""The evidence bank (issue 24): harvesting a second instance, searching, pooling per kind of
measure with a forest plot and a plain-Swedish reading."""

from __future__ import annotations

import datetime
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from samverkan.analysis.pooling import random_effects
from samverkan.followup.models import EffectEvaluation
from samverkan.learning import evidence
from samverkan.learning.harvest import HarvestError, harvest
from samverkan.learning.models import EvaluationLabel, OpenDataPublication, RemoteCatalogue
from samverkan.problems.choices import GoalKind
from samverkan.problems.models import Goal, Problem
from tests.factories import make_partnership

# (indicator, before/after treated, before/after control, method, place, period after)
LOCAL = [("Misshandel utomhus", (80, 58), (70, 66), "narvaro", "centrum", "2025")]
REMOTE = [
    ("Rån i centrum", (60, 41), (50, 47), "narvaro", "centrum", "2024"),
    ("Misshandel vid stationen", (45, 40), (40, 44), "narvaro", "trafik", "2025"),
    ("Skadegörelse i skolan", (30, 22), (25, 24), "kamera", "skola", "2025"),
]


def _partnership(suffix: str, code: str, rows: list) -> object:
    world = make_partnership(suffix)
    p = world.partnership
    p.municipality.code = code
    p.municipality.save()
    problem = Problem.objects.create(
        partnership=p, title="Våld i offentlig miljö", crime_type="Misshandel"
    )
    goal = Goal.objects.create(
        partnership=p,
        problem=problem,
        kind=GoalKind.EFFECT,
        text="Färre misshandelsbrott",
        indicator="Anmälda brott",
    )
    for indicator, treated, control, method, place, year in rows:
        ev = EffectEvaluation.objects.create(
            partnership=p,
            goal=goal,
            indicator=indicator,
            period_before=str(int(year) - 1),
            period_after=year,
            treated_area="Centrum",
            treated_before=treated[0],
            treated_after=treated[1],
            control_area="Övriga kommunen",
            control_before=control[0],
            control_after=control[1],
        )
        EvaluationLabel.objects.create(evaluation=ev, method=method, place_type=place)
    OpenDataPublication.objects.create(
        partnership=p,
        published=True,
        published_at=timezone.now(),
        contact_name="Trygghetssamordnaren",
        contact_email=f"trygg{code}@example.se",
    )
    return p


class _Instance:
    """A second Samverkan instance: a local HTTP server with its catalogue and datasets."""

    def __init__(self, pages: dict[str, bytes], delay: float = 0.0) -> None:
        self.pages = files = pages
        # path -> (status, reason, extra headers): answers other than 200 with the page
        self.answers: dict[str, tuple[int, str, dict[str, str]]] = {}
        self.requests: list[str] = []
        answers, requests = self.answers, self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                requests.append(self.path)
                if delay:
                    time.sleep(delay)
                body = files.get(self.path)
                status, reason, headers = answers.get(
                    self.path, (200 if body is not None else 404, "", {})
                )
                self.send_response(status, reason or None)
                self.send_header("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(body or b"{}")
                except BrokenPipeError:  # the harvester gave up waiting (timeout test)
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _build():
    from django.test import Client

    client = Client()
    remote = _partnership(" Fjärran", "2480", REMOTE)
    catalogue = client.get(reverse("learning:catalogue")).content
    dataset_path = reverse("learning:dataset_json", kwargs={"pk": remote.pk})
    dataset = client.get(dataset_path).content
    remote_name = str(remote.municipality)
    # The remote partnership lives only on the other instance from here on.
    OpenDataPublication.objects.filter(partnership=remote).update(published=False)
    local = _partnership(" Hemma", "0180", LOCAL)
    return SimpleNamespace(
        local=local,
        remote_name=remote_name,
        remote_results=EffectEvaluation.objects.filter(partnership=remote).count(),
        catalogue=catalogue,
        dataset_path=dataset_path,
        dataset=dataset,
    )


@pytest.fixture(autouse=True)
def inside(settings):
    # The other instance runs on this machine: the tests allow http and loopback, as a
    # kommun's internal set-up would through the two settings (each refusal test turns them
    # off again).
    settings.HARVEST_ALLOW_HTTP = True
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture(scope="module")
def built(kept):
    return kept(_build)


@pytest.fixture
def instance(built, db):
    server = _Instance({})
    base = server.url.encode()
    server.pages["/katalog.jsonld"] = built.catalogue.replace(b"http://testserver", base)
    server.pages[built.dataset_path] = built.dataset.replace(b"http://testserver", base)
    yield SimpleNamespace(server=server, built=built)
    server.close()


def _remote(url: str) -> RemoteCatalogue:
    return RemoteCatalogue.objects.create(name="Fjärrkommunens Samverkan", url=url)


def test_harvested_results_appear_in_the_evidence_bank_with_a_pooled_effect(client, instance):
    remote = _remote(instance.server.url + "/katalog.jsonld")
    assert harvest(remote, timeout=5).kept == instance.built.remote_results
    remote.refresh_from_db()
    assert remote.fetched_at and remote.last_error == ""
    page = client.get(reverse("learning:evidence"))
    assert page.status_code == 200
    html = page.content.decode()
    assert instance.built.remote_name in html
    assert str(instance.built.local.municipality) in html
    assert "Fjärrkommunens Samverkan" in html  # the source is named
    # Three evaluations of targeted police presence: pooled, drawn and read.
    narvaro = next(
        g
        for g in evidence.groups(evidence.own_rows() + evidence.remote_rows())
        if g.method == "narvaro"
    )
    assert narvaro.pooled is not None and narvaro.pooled.k == 3
    assert "Sammanvägd effekt" in html
    assert 'role="img"' in html and "<desc" in html
    assert "τ²" in html and "I²" in html
    assert "Bara 3 utvärderingar" in html
    assert "publicerar oftare det som gick bra" in html
    # A kind with one evaluation is listed but not pooled.
    kamera = next(g for g in evidence.groups(evidence.remote_rows()) if g.method == "kamera")
    assert kamera.pooled is None


def test_pooled_effect_equals_random_effects_on_the_published_counts(instance):
    _remote_row = _remote(instance.server.url + "/katalog.jsonld")
    harvest(_remote_row, timeout=5)
    import math

    rows = [
        r for r in evidence.own_rows() + evidence.remote_rows() if r["typ_av_atgard"] == "narvaro"
    ]
    counts = [(t, c) for _i, t, c, m, _p, _y in LOCAL + REMOTE if m == "narvaro"]
    y = [math.log((t[1] / t[0]) / (c[1] / c[0])) for t, c in counts]
    v = [1 / t[0] + 1 / t[1] + 1 / c[0] + 1 / c[1] for t, c in counts]
    expected = random_effects(y, v)
    (group,) = [g for g in evidence.groups(rows) if g.method == "narvaro"]
    assert group.pooled is not None
    assert group.pooled.estimate == pytest.approx(expected.estimate)
    assert group.pooled.tau2 == pytest.approx(expected.tau2)


def test_search_by_kind_place_problem_and_year(client, instance):
    harvest(_remote(instance.server.url + "/katalog.jsonld"), timeout=5)
    url = reverse("learning:evidence")
    html = client.get(url, {"metod": "kamera"}).content.decode()
    assert "Skadegörelse i skolan" in html and "Rån i centrum" not in html
    html = client.get(url, {"plats": "trafik"}).content.decode()
    assert "Misshandel vid stationen" in html and "Rån i centrum" not in html
    html = client.get(url, {"ar": "2023"}).content.decode()
    assert "Rån i centrum" in html and "Misshandel vid stationen" not in html
    html = client.get(url, {"q": "våld"}).content.decode()
    assert "Rån i centrum" in html
    html = client.get(url, {"q": "bedrägeri"}).content.decode()
    assert "Inga publicerade resultat matchar sökningen." in html


def test_an_unreachable_instance_keeps_the_last_results_and_records_the_error(instance):
    remote = _remote(instance.server.url + "/katalog.jsonld")
    harvest(remote, timeout=5)
    instance.server.close()
    with pytest.raises(HarvestError):
        harvest(remote, timeout=1)
    remote.refresh_from_db()
    assert "Kunde inte hämta" in remote.last_error
    assert len(remote.results) == instance.built.remote_results


def test_a_slow_instance_times_out(db):
    slow = _Instance({"/katalog.jsonld": b"{}"}, delay=1.5)
    try:
        remote = _remote(slow.url + "/katalog.jsonld")
        started = time.monotonic()
        with pytest.raises(HarvestError):
            harvest(remote, timeout=0.3)
        assert time.monotonic() - started < 1.4
    finally:
        slow.close()


def test_harvest_refuses_other_schemes(db):
    with pytest.raises(HarvestError):
        harvest(_remote("file:///etc/passwd"), timeout=1)


def test_a_catalogue_on_an_internal_address_is_refused_unless_allowed(instance, settings):
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = False
    remote = _remote(instance.server.url + "/katalog.jsonld")
    with pytest.raises(HarvestError):
        harvest(remote, timeout=1)
    remote.refresh_from_db()
    assert "pekar på en intern adress (127.0.0.1)" in remote.last_error
    assert instance.server.requests == [] and remote.results == []


def test_http_is_refused_unless_allowed(instance, settings):
    settings.DEBUG = False
    settings.HARVEST_ALLOW_HTTP = False
    remote = _remote(instance.server.url + "/katalog.jsonld")
    with pytest.raises(HarvestError):
        harvest(remote, timeout=1)
    remote.refresh_from_db()
    assert "måste börja med https://" in remote.last_error
    assert instance.server.requests == []


def test_a_distribution_on_an_internal_address_is_refused(instance, settings, monkeypatch):
    from samverkan.lib import outbound

    # The catalogue's own host counts as public here; the dataset it names is internal.
    real = outbound.is_public
    monkeypatch.setattr(outbound, "is_public", lambda ip: str(ip) == "127.0.0.1" or real(ip))
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = False
    port = instance.server.url.rsplit(":", 1)[1]
    page = instance.server.pages["/katalog.jsonld"]
    instance.server.pages["/katalog.jsonld"] = page.replace(
        f"http://127.0.0.1:{port}".encode(), f"http://10.0.0.7:{port}".encode()
    )
    remote = _remote(instance.server.url + "/katalog.jsonld")
    with pytest.raises(HarvestError):
        harvest(remote, timeout=1)
    remote.refresh_from_db()
    assert "intern adress (10.0.0.7)" in remote.last_error


def test_a_redirect_is_checked_before_it_is_followed(instance, settings, monkeypatch):
    from samverkan.lib import outbound

    real = outbound.is_public
    monkeypatch.setattr(outbound, "is_public", lambda ip: str(ip) == "127.0.0.1" or real(ip))
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = False
    metadata = "http://169.254.169.254/latest/meta-data/"
    instance.server.answers["/flyttad"] = (302, "", {"Location": metadata})
    remote = _remote(instance.server.url + "/flyttad")
    with pytest.raises(HarvestError):
        harvest(remote, timeout=1)
    remote.refresh_from_db()
    assert "intern adress (169.254.169.254)" in remote.last_error
    # A redirect to a checked, allowed address is followed.
    instance.server.answers["/gammal"] = (301, "", {"Location": "/katalog.jsonld"})
    remote.url = instance.server.url + "/gammal"
    remote.save()
    assert harvest(remote, timeout=5).kept == instance.built.remote_results


def test_the_error_does_not_quote_what_the_server_answered(instance):
    instance.server.answers["/katalog.jsonld"] = (500, "root:x:0:0 hemlig", {})
    remote = _remote(instance.server.url + "/katalog.jsonld")
    with pytest.raises(HarvestError):
        harvest(remote, timeout=1)
    remote.refresh_from_db()
    assert "status 500" in remote.last_error and "hemlig" not in remote.last_error
    instance.server.answers.pop("/katalog.jsonld")
    instance.server.pages["/katalog.jsonld"] = b"root:x:0:0 hemlig"
    with pytest.raises(HarvestError):
        harvest(remote, timeout=1)
    remote.refresh_from_db()
    assert "inte JSON" in remote.last_error and "hemlig" not in remote.last_error


def _tampered(instance, change) -> None:
    """The other instance's dataset with its result rows changed by ``change(rows)``."""
    path = instance.built.dataset_path
    data = json.loads(instance.server.pages[path])
    change(data["resultat"])
    instance.server.pages[path] = json.dumps(data).encode()


def test_harvested_small_counts_are_suppressed_here_whatever_the_remote_says(client, instance):
    def small(rows):
        # The remote claims nothing needs suppressing; 3 reported offences is a small count.
        (robbery,) = [r for r in rows if r["indikator"] == "Rån i centrum"]
        robbery.update(insats_efter=3, undertryckt=False)

    _tampered(instance, small)
    remote = _remote(instance.server.url + "/katalog.jsonld")
    assert harvest(remote, timeout=5).kept == instance.built.remote_results
    remote.refresh_from_db()
    (row,) = [r for r in remote.results if r["indikator"] == "Rån i centrum"]
    assert row["undertryckt"] is True
    assert [row[k] for k in ("insats_fore", "insats_efter", "log_kvot", "kvot")] == [None] * 4
    assert not any(
        r["indikator"] == "Rån i centrum" for g in evidence.groups(evidence.remote_rows())
        for r in g.poolable_rows
    )  # fmt: skip
    html = client.get(reverse("learning:evidence"), {"q": "rån"}).content.decode()
    assert "Antalen är för små för att redovisas." in html and "60 → 3" not in html


def test_harvested_rows_of_the_wrong_type_are_dropped_and_counted(instance):
    def broken(rows):
        good = dict(rows[0])
        rows[0]["log_kvot"] = float("inf")  # not a finite number
        rows[1]["insats_fore"] = "45"  # a count as text
        rows.append({**good, "id": "x-1", "kontroll_efter": True})  # a count as true/false
        rows.append({**good, "id": "x-2", "varians": -1.0})  # out of range
        rows.append({**good, "id": "x-3", "mal": {"text": "nested"}})  # text as an object
        rows.append({**good, "id": "x-4", "indikator": "Rån\x1b[2J\x00 " + "å" * 5000})

    _tampered(instance, broken)
    remote = _remote(instance.server.url + "/katalog.jsonld")
    outcome = harvest(remote, timeout=5)
    assert (outcome.kept, outcome.dropped) == (instance.built.remote_results - 2 + 1, 5)
    assert "5 ogiltiga rader utelämnades" in outcome.message
    remote.refresh_from_db()
    assert "5 ogiltiga rader" in remote.last_error
    (long,) = [r for r in remote.results if r["id"] == "x-4"]
    assert long["indikator"].startswith("Rån[2J å") and len(long["indikator"]) == 500
    assert all(isinstance(r["log_kvot"], float | None) for r in remote.results)


def test_rows_stored_by_an_older_harvest_are_checked_again(db):
    row = {"id": "9-1", "indikator": "Rån", "insats_fore": 12, "insats_efter": 2,
           "kontroll_fore": 40, "kontroll_efter": 41, "undertryckt": False, "log_kvot": -1.8,
           "varians": 0.6, "kvot": 0.16, "kvot_lag": 0.03, "kvot_hog": 0.8,
           "forandring_procent": -83.3, "kalla": "Gamla",
           "kalla_url": "javascript:alert(1)"}  # fmt: skip
    RemoteCatalogue.objects.create(
        name="Gamla", url="https://gammal.example.se/katalog.jsonld",
        results=[row, {**row, "id": "9-2", "kvot": "0.16"}, "text"],
    )  # fmt: skip
    (shown,) = evidence.remote_rows()
    assert shown["undertryckt"] is True and shown["insats_efter"] is None
    assert shown["log_kvot"] is None and shown["forandring_procent"] is None
    assert shown["kalla_url"] == ""


def test_reading_says_how_sure_and_why_it_may_mislead():
    result = random_effects([-0.3, -0.1], [0.02, 0.03])
    text = " ".join(evidence.read_pooled(result, "Kamerabevakning"))
    assert "2 utvärderingar" in text
    assert "Bara 2 utvärderingar" in text
    assert "misslyckade försök" in text
    assert "minskade" in text


def test_forest_plot_alt_text_comes_from_the_data():
    rows = [
        {"kommun": "A-stad", "indikator": "Rån", "log_kvot": -0.3, "varians": 0.02},
        {"kommun": "B-by", "indikator": "Stöld", "log_kvot": -0.1, "varians": 0.03},
    ]
    (group,) = evidence.groups([{**r, "typ_av_atgard": "kamera"} for r in rows])
    assert group.svg.startswith("<svg") and 'role="img"' in group.svg
    assert "A-stad: Rån: kvot 0,74" in group.svg
    assert "Sammanvägt" in group.svg
    assert "http" not in group.svg.replace("http://www.w3.org/2000/svg", "")


def test_periods_are_dates_in_the_temporal_coverage(client, instance):
    data = json.loads(instance.built.catalogue)
    (dataset,) = data["dcat:dataset"]
    start = dataset["dct:temporal"]["dcat:startDate"]["@value"]
    assert datetime.date.fromisoformat(start)


def _kamera_group():
    rows = [
        {"kommun": "A-stad", "indikator": "Rån", "log_kvot": -0.3, "varians": 0.02},
        {"kommun": "B-by", "indikator": "Stöld", "log_kvot": -0.1, "varians": 0.03},
    ]
    (group,) = evidence.groups([{**r, "typ_av_atgard": "kamera"} for r in rows])
    return group


def test_forest_plot_is_drawn_by_the_chart_engine_in_the_page_language():
    from django.utils import translation

    from tests.charts.svgtext import SVG, overlapping, root

    swedish = _kamera_group().svg
    element = root(swedish)
    assert element[0].text == "Skogsdiagram: Kamerabevakning"
    assert element[1].text.startswith(
        "Skogsdiagram: 2 utvärderingar av kamerabevakning; sammanvägd kvot"
    )
    assert "(95 % KI " in element[1].text
    ticks = [e.text for e in element.iter(f"{SVG}text") if e.text in {"0,5", "1", "2"}]
    assert ticks == ["0,5", "1", "2"] and overlapping(swedish) == []
    with translation.override("en"):
        english = _kamera_group().svg
    element = root(english)
    assert element[0].text == "Forest plot: Camera surveillance"
    assert element[1].text.startswith(
        "Forest plot: 2 evaluations of camera surveillance; pooled ratio 0."
    )
    assert "A-stad: Rån: ratio 0.74 (" in element[1].text and "Pooled" in english
    assert "Skogsdiagram" not in english and "Sammanvägt" not in english


def test_forest_plot_in_a_document_is_swedish_and_painted_for_word():
    from django.utils import translation

    with translation.override("en"):  # a reader of the English page asks for the document
        chart = evidence.forest_chart(_kamera_group())
    assert chart is not None and chart.caption == "Skogsdiagram: Kamerabevakning"
    assert chart.alt.startswith(
        "Skogsdiagram: 2 utvärderingar av kamerabevakning; sammanvägd kvot 0,"
    )
    assert "Sammanvägt" in chart.svg and "Pooled" not in chart.svg
    assert chart.png.startswith(b"\x89PNG")
