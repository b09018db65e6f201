"""manage.py fetch_statistics: the public APIs answered from recorded files, never the network.

``urllib.request.urlopen`` is replaced by a fake that checks each request and answers with a
file from tests/mapping/recorded/ (or fails the way a cut network fails).
"""

import io
import json
import urllib.error
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from samverkan.mapping import stats
from samverkan.mapping.choices import ImportStatus
from samverkan.mapping.models import DataSource, Import, KeyFigure, Population
from samverkan.mapping.services import import_file
from tests.mapping.helpers import write

RECORDED = Path(__file__).resolve().parent / "recorded"
KOLADA = "https://api.kolada.se/v2/data/kpi/N07403/municipality/0180,1280/year/2023,2024"
SCB = "https://api.scb.se/OV0104/v1/doris/sv/ssd/START/BE/BE0101/BE0101A/BefolkningNy"


class Answer(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class FakeAPI:
    """Serves recorded files by URL; records each request (method, URL, JSON body)."""

    def __init__(self, routes):
        self.routes = routes
        self.requests = []

    def __call__(self, request, timeout=None):
        assert timeout, "every request needs a timeout"
        body = json.loads(request.data) if request.data else None
        self.requests.append((request.get_method(), request.full_url, body))
        answer = self.routes[request.full_url]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, bytes):
            return Answer(answer)
        return Answer((RECORDED / answer).read_bytes())


@pytest.fixture
def api(monkeypatch):
    def install(routes):
        fake = FakeAPI(routes)
        monkeypatch.setattr("urllib.request.urlopen", fake)
        return fake

    return install


def fetched():
    """The imports this command made (the test world holds a crime-statistics import)."""
    return Import.objects.filter(kind__in=["kolada", "population"])


def fetch(world, *args, party=None):
    out = io.StringIO()
    call_command(
        "fetch_statistics", *args,
        partnership=world.ours.partnership.pk, party=(party or world.ours.kommun).pk, stdout=out,
    )  # fmt: skip
    return out.getvalue()


KOLADA_ARGS = ("kolada", "--kpi", "N07403", "--municipality", "0180", "--municipality",
               "Malmö", "--years", "2023-2024")  # fmt: skip
POPULATION_ARGS = ("population", "--municipality", "0180", "--municipality", "1280",
                   "--years", "2023-2024")  # fmt: skip


def test_kolada_follows_next_page_and_imports_every_value(world, api):
    fake = api({
        KOLADA: "kolada-N07403-page1.json",
        KOLADA + "?page=2&per_page=2": "kolada-N07403-page2.json",
    })  # fmt: skip
    out = fetch(world, *KOLADA_ARGS)
    # The second page is asked for on https although next_page says http.
    assert [url for _, url, _ in fake.requests] == [KOLADA, KOLADA + "?page=2&per_page=2"]
    assert out.count("\n") == 1 and "4 rows read, 4 imported" in out
    assert sorted(KeyFigure.objects.values_list("municipality_code", "year", "value")) == [
        ("0180", 2023, 1322.4),
        ("0180", 2024, 1298.1),
        ("1280", 2023, 1505.7),
        ("1280", 2024, None),
    ]
    record = fetched().get()
    assert record.status == ImportStatus.DONE and record.kind == "kolada"
    assert record.source.name == "Kolada, nyckeltal N07403"
    assert record.file_name == "kolada-N07403-2-kommuner-2023-2024.json"
    # Both pages were read as one answer (the four values above); the stored copy is
    # removed once imported, its checksum kept.
    assert len(record.sha256) == 64 and not record.file


def test_population_posts_a_json_stat_query_and_imports_the_answer(world, api):
    fake = api({SCB: "scb-befolkning-v1.json"})
    out = fetch(world, *POPULATION_ARGS)
    [(method, url, body)] = fake.requests
    assert method == "POST" and url == SCB
    assert body["response"] == {"format": "json-stat"}
    assert {q["code"]: q["selection"]["values"] for q in body["query"]} == {
        "Region": ["0180", "1280"],
        "ContentsCode": ["BE0101N1"],
        "Tid": ["2023", "2024"],
    }
    assert "4 rows read, 4 imported" in out
    assert sorted(Population.objects.values_list("area", "year", "count")) == [
        ("Malmö", 2023, 362133),
        ("Malmö", 2024, 364400),
        ("Stockholm", 2023, 984748),
        ("Stockholm", 2024, 988943),
    ]
    record = fetched().get()
    assert record.source.name == "SCB, folkmängd per kommun och år (BE0101N1)"
    assert record.source.period == "2023–2024"
    assert Population.objects.filter(source_import=record).count() == 4


def test_rate_per_100000_is_real_after_crime_statistics_and_fetched_population(
    world, api, tmp_path
):
    party = world.ours.polis  # a party whose mapping holds nothing else
    municipality = party.partnership.municipality
    municipality.code = "0180"  # the partnership maps Stockholm
    municipality.save(update_fields=["code"])
    crimes = (
        "Kommun;Brott;År;Antal\n"
        "Stockholm;Stöld;2023;9000\nStockholm;Misshandel;2023;3000\n"
        "Stockholm;Stöld;2024;9500\nStockholm;Misshandel;2024;3500\n"
    )
    record, result = import_file(party, "crime-stats", write(tmp_path, "brott.csv", crimes))
    assert result.ok, result.errors
    assert stats.latest_rate(party) is None  # no population yet: no rate
    api({SCB: "scb-befolkning-v1.json"})
    fetch(world, *POPULATION_ARGS, party=party)
    # Malmö's population is fetched too but only Stockholm's areas count:
    # 2023: 12 000 / 984 748 × 100 000 = 1 218.59; 2024: 13 000 / 988 943 × 100 000 = 1 314.53.
    rates = stats.rates_by_year(party)
    assert [(r.year, r.count, r.population) for r in rates] == [
        (2023, 12000, 984748),
        (2024, 13000, 988943),
    ]
    assert [round(r.rate, 2) for r in rates] == [1218.59, 1314.53]
    latest = stats.latest_rate(party)
    assert latest.year == 2024 and round(latest.rate, 2) == 1314.53


def test_unreachable_network_exits_non_zero_and_imports_nothing(world, api):
    api({SCB: urllib.error.URLError("[Errno -3] Temporary failure in name resolution")})
    with pytest.raises(CommandError) as exc:
        fetch(world, *POPULATION_ARGS)
    message = str(exc.value)
    assert "cannot reach api.scb.se" in message and "nothing imported" in message
    assert not fetched().exists() and not Population.objects.exists()
    assert not DataSource.objects.filter(name__startswith="SCB").exists()


def test_error_answer_from_the_api_is_reported_and_nothing_imported(world, api):
    error = urllib.error.HTTPError(SCB, 400, "Bad Request", {}, io.BytesIO(b"<h1>Bad</h1>"))
    api({SCB: error})
    with pytest.raises(CommandError) as exc:
        fetch(world, *POPULATION_ARGS)
    assert "HTTP 400 Bad Request: Bad" in str(exc.value)
    assert "not yet published" in str(exc.value)
    assert not fetched().exists() and not Population.objects.exists()


def test_an_error_page_sent_as_success_is_refused_before_import(world, api):
    api({SCB: b"<html><body>Service unavailable</body></html>"})
    with pytest.raises(CommandError, match="not JSON"):
        fetch(world, *POPULATION_ARGS)
    assert not fetched().exists()


def test_kolada_without_values_says_so_and_imports_nothing(world, api):
    api({KOLADA: b'{"count": 0, "values": []}'})
    with pytest.raises(CommandError, match="Kolada has no values for N07403"):
        fetch(world, *KOLADA_ARGS)
    assert not fetched().exists()


def test_kolada_next_page_on_another_host_is_not_followed(world, api):
    page = json.loads((RECORDED / "kolada-N07403-page1.json").read_text())
    page["next_page"] = "https://elsewhere.example/v2/data?page=2"
    fake = api({KOLADA: json.dumps(page).encode()})
    with pytest.raises(CommandError, match="another host"):
        fetch(world, *KOLADA_ARGS)
    assert len(fake.requests) == 1 and not KeyFigure.objects.exists()


def test_answer_the_importer_rejects_is_recorded_as_rejected_and_nothing_saved(world, api):
    doc = json.loads((RECORDED / "scb-befolkning-v2.json").read_text())
    doc["dimension"]["Tid"]["category"]["index"] = ["2024M01", "2024M02"]
    api({SCB: json.dumps(doc).encode()})
    with pytest.raises(CommandError) as exc:
        fetch(world, *POPULATION_ARGS)
    assert "rejected" in str(exc.value) and "2024M01" in str(exc.value)
    assert fetched().get().status == ImportStatus.REJECTED
    assert not Population.objects.exists()


def test_same_answer_twice_says_already_imported(world, api):
    api({SCB: "scb-befolkning-v1.json"})
    fetch(world, *POPULATION_ARGS)
    assert "already imported" in fetch(world, *POPULATION_ARGS)
    assert Population.objects.count() == 4
    assert DataSource.objects.filter(name__startswith="SCB").count() == 1


def test_base_urls_are_settings(world, api, settings):
    settings.SCB_POPULATION_API_URL = "http://mirror.test/befolkning"
    fake = api({"http://mirror.test/befolkning": "scb-befolkning-v1.json"})
    assert "fetched from mirror.test" in fetch(world, *POPULATION_ARGS)
    assert fake.requests[0][1] == "http://mirror.test/befolkning"


@pytest.mark.parametrize(
    "args,message",
    [
        (("population", "--municipality", "9999", "--years", "2024"), "municipality '9999'"),
        (("population", "--municipality", "0180", "--years", "2024-2020"), "run forwards"),
        (("population", "--municipality", "0180", "--years", "senaste"), "2020-2024"),
        (("kolada", "--municipality", "0180", "--years", "2024"), "--kpi"),
        (("population", "--kpi", "N1", "--municipality", "0180", "--years", "2024"),
         "belongs to kolada"),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused_before_any_request(world, api, args, message):
    fake = api({})
    with pytest.raises(CommandError, match=message):
        fetch(world, *args)
    assert fake.requests == [] and not fetched().exists()


def test_party_of_another_partnership_is_refused(world, api):
    api({})
    with pytest.raises(CommandError, match="not part of partnership"):
        fetch(world, *POPULATION_ARGS, party=world.foreign.kommun)
