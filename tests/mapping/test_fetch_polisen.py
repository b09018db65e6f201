"""fetch_statistics polisen and the daily Celery task: Polisen's API answered by a fake,
never the network; the answer goes through the same import as an upload."""

import io
import json
import urllib.error
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from samverkan.mapping.choices import ImportStatus
from samverkan.mapping.models import DataSource, Import, PoliceEvent
from samverkan.mapping.tasks import fetch_polisen_events_task

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "polisen-handelser.json"
NORRKOPING = "https://polisen.se/api/events?locationname=Norrk%C3%B6ping"


class Answer(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@pytest.fixture
def api(monkeypatch):
    """Install answers by URL; returns the list of URLs asked for."""
    asked = []

    def install(routes):
        def urlopen(request, timeout=None):
            assert timeout, "every request needs a timeout"
            asked.append(request.full_url)
            answer = routes[request.full_url]
            if isinstance(answer, Exception):
                raise answer
            return Answer(answer)

        monkeypatch.setattr("urllib.request.urlopen", urlopen)
        return asked

    return install


def fetch(world, *extra):
    p = world.ours.partnership
    call_command(
        "fetch_statistics", "polisen", "--municipality", "0581", "--partnership", str(p.pk),
        "--party", str(world.ours.kommun.pk), *extra,
    )  # fmt: skip


def test_fetch_asks_polisen_for_the_municipality_and_imports_the_events(world, api, capsys):
    asked = api({NORRKOPING: EXAMPLE.read_bytes()})
    fetch(world)
    assert asked == [NORRKOPING]
    out = capsys.readouterr().out
    assert "fetched from polisen.se, 6 rows read, 6 imported" in out
    record = Import.objects.get(kind="polisen-events")
    assert record.status == ImportStatus.DONE and record.source.name == "Polisens händelser"
    assert "inte kriminalstatistik" in record.source.covers
    assert PoliceEvent.objects.filter(party=world.ours.kommun).count() == 6


def test_a_later_fetch_adds_only_new_events(world, api, capsys):
    events = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    api({NORRKOPING: json.dumps(events[:4]).encode()})
    fetch(world)
    api({NORRKOPING: json.dumps(events[2:]).encode()})
    fetch(world)
    assert "2 imported, 2 already present" in capsys.readouterr().out
    assert PoliceEvent.objects.count() == 6
    assert DataSource.objects.filter(name="Polisens händelser").count() == 1


def test_the_address_is_a_setting(world, api, settings):
    settings.POLISEN_EVENTS_URL = "http://mirror.test/polisen"
    asked = api({"http://mirror.test/polisen?locationname=Norrk%C3%B6ping": EXAMPLE.read_bytes()})
    fetch(world)
    assert len(asked) == 1 and PoliceEvent.objects.count() == 6


@pytest.mark.parametrize(
    "answer,message",
    [
        (urllib.error.URLError("no route"), "cannot reach polisen.se"),
        (
            urllib.error.HTTPError(NORRKOPING, 500, "Server Error", {}, io.BytesIO(b"")),
            "answered HTTP 500",
        ),
        (b"<html>fel</html>", "not JSON"),
        (b'{"error": "x"}', "without the list of events"),
        (b"[]", "no recent events"),
    ],
)
def test_failed_fetch_imports_nothing(world, api, answer, message):
    api({NORRKOPING: answer})
    with pytest.raises(CommandError, match=message):
        fetch(world)
    assert not Import.objects.filter(kind="polisen-events").exists()
    assert not PoliceEvent.objects.exists()


def test_bad_entry_in_the_answer_rejects_it_naming_the_entry(world, api):
    events = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    events[1]["datetime"] = "i morse"
    api({NORRKOPING: json.dumps(events).encode()})
    with pytest.raises(CommandError, match="(?s)rejected.*entry 2: the publication time"):
        fetch(world)
    assert not PoliceEvent.objects.exists()


def test_years_and_kpi_do_not_belong_to_polisen(world, api):
    api({})
    with pytest.raises(CommandError, match="no --kpi or --years"):
        fetch(world, "--years", "2024")


def test_daily_task_fetches_for_the_parties_that_use_the_source(world, api):
    org = world.ours.partnership.municipality
    org.code = "0581"
    org.save()
    DataSource.objects.create(party=world.ours.kommun, name="Polisens händelser")
    DataSource.objects.create(party=world.foreign.kommun, name="Brå")  # does not take part
    asked = api({NORRKOPING: EXAMPLE.read_bytes()})
    summary = fetch_polisen_events_task()
    assert asked == [NORRKOPING]
    assert f"party {world.ours.kommun.pk}: import" in summary and "6 new" in summary
    assert PoliceEvent.objects.filter(party=world.ours.kommun).count() == 6
    assert not PoliceEvent.objects.filter(party=world.foreign.kommun).exists()


def test_daily_task_goes_on_when_the_api_cannot_be_reached(world, api):
    org = world.ours.partnership.municipality
    org.code = "0581"
    org.save()
    DataSource.objects.create(party=world.ours.kommun, name="Polisens händelser")
    api({NORRKOPING: urllib.error.URLError("down")})
    assert "cannot reach polisen.se" in fetch_polisen_events_task()
    assert not PoliceEvent.objects.exists()


def test_celery_beat_fetches_polisen_events_daily():
    from samverkan.celery import app

    entry = app.conf.beat_schedule["polisen-events-daily"]
    assert entry["task"] == fetch_polisen_events_task.name == "samverkan.fetch_polisen_events"
    assert entry["schedule"].hour == {6} and entry["schedule"].minute == {30}
