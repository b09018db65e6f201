"""The API driven as an outside client would drive it (issue 21): a client is generated from
/api/v1/openapi.json with openapi-python-client, in a temporary folder at test time, and its
calls go through Django's test client (an httpx transport), so they see the test's data.

Two status updates in a row with the versions read, paging by the Link header, changed_since,
and field reports read and filed, all through the generated functions and models only.
Skipped only when the generator is not installed (it is in the dev extra, pyproject.toml)."""

from __future__ import annotations

import datetime
import importlib
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.utils import timezone

from samverkan.accounts.models import User
from samverkan.api.models import ApiToken
from samverkan.problems.models import Measure

generator = pytest.importorskip(
    "openapi_python_client", reason="openapi-python-client (dev extra) is not installed"
)
httpx = pytest.importorskip("httpx")

PACKAGE = "samverkan_generated_client"
_ENDPOINT = re.compile(r'"method":\s*"(\w+)",\s*"url":\s*"([^"]+)"')


class DjangoTransport(httpx.BaseTransport):
    """Hands the generated client's requests to Django's test client, in this thread (so
    they run inside the test's transaction), and its answers back as httpx responses."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def handle_request(self, request: Any) -> Any:
        request.read()
        skip = {"host", "content-length", "content-type"}
        headers = {k: v for k, v in request.headers.items() if k.lower() not in skip}
        answer = self.client.generic(
            request.method,
            request.url.raw_path.decode("ascii"),
            data=request.content,
            content_type=request.headers.get("content-type", "application/octet-stream"),
            headers=headers,
        )
        return httpx.Response(answer.status_code, headers=list(answer.items()),
                              content=answer.content)  # fmt: skip


class Generated:
    """The generated package, and its endpoint modules found by method and path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.endpoints: dict[tuple[str, str], str] = {}
        for path in (root / PACKAGE / "api").rglob("*.py"):
            found = _ENDPOINT.search(path.read_text(encoding="utf-8"))
            if found:
                module = ".".join(path.relative_to(root).with_suffix("").parts)
                self.endpoints[(found[1].lower(), found[2])] = module
        self.models = importlib.import_module(f"{PACKAGE}.models")
        self.client_module = importlib.import_module(f"{PACKAGE}.client")

    def endpoint(self, method: str, path: str) -> ModuleType:
        key = (method, "/api/v1" + path)
        assert key in self.endpoints, f"the generated client has no {method.upper()} {path}"
        return importlib.import_module(self.endpoints[key])

    def client(self, django_client: Any, username: str) -> Any:
        _token, secret = ApiToken.issue(User.objects.get(username=username), "generated")
        return self.client_module.AuthenticatedClient(
            base_url="http://testserver",
            token=secret,
            httpx_args={"transport": DjangoTransport(django_client)},
        )


@pytest.fixture(scope="module")
def generated(tmp_path_factory, django_db_setup, django_db_blocker):
    from django.test import Client
    from openapi_python_client import generate
    from openapi_python_client.config import Config, ConfigFile, MetaType
    from openapi_python_client.parser.errors import ErrorLevel

    root = tmp_path_factory.mktemp("generated-client")
    with django_db_blocker.unblock():
        answer = Client().get("/api/v1/openapi.json")
    assert answer.status_code == 200
    document = root / "openapi.json"
    document.write_text(json.dumps(answer.json()), encoding="utf-8")
    config = Config.from_sources(
        # No formatting hooks: the generated code is imported, not read.
        ConfigFile(package_name_override=PACKAGE, post_hooks=[]),
        MetaType.NONE,
        document,
        "utf-8",
        overwrite=True,
        output_path=root / PACKAGE,
    )
    problems = generate(config=config)
    errors = [p for p in problems if p.level == ErrorLevel.ERROR]
    assert not errors, [f"{p.header}: {p.detail}" for p in errors]
    sys.path.insert(0, str(root))
    try:
        yield Generated(root)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _measures(generated, api, pk: int, **query: Any) -> Any:
    listing = generated.endpoint("get", "/partnerships/{pk}/measures")
    answer = listing.sync_detailed(pk=pk, client=api, **query)
    assert answer.status_code == 200, answer.content
    return answer


def test_two_status_updates_in_a_row_with_the_versions_read(client, demo, generated):
    api = generated.client(client, "demo.polis")
    measure = Measure.objects.get(partnership=demo, number=4)
    read = next(m for m in _measures(generated, api, demo.pk).parsed if m.id == measure.pk)
    update = generated.endpoint("put", "/partnerships/{pk}/measures/{measure_id}/progress")
    progress_in = generated.models.ProgressIn

    def put(status: str, version: int) -> Any:
        body = progress_in.from_dict(
            {"status": status, "reason": "Via klienten", "version": version}
        )
        return update.sync_detailed(pk=demo.pk, measure_id=measure.pk, client=api, body=body)

    first = put("started", read.status_version)
    assert first.status_code == 200, first.content
    assert first.parsed.to_dict()["status"] == "started"
    # The version from the answer is good for the next update, and so is one read again.
    second = put("paused", first.parsed.status_version)
    assert second.status_code == 200, second.content
    again = next(m for m in _measures(generated, api, demo.pk).parsed if m.id == measure.pk)
    assert again.to_dict()["status"] == "paused"
    assert again.status_version == second.parsed.status_version
    third = put("started", again.status_version)
    assert third.status_code == 200, third.content
    # Only a version someone else has changed since answers 409.
    stale = put("paused", again.status_version)
    assert stale.status_code == 409
    assert "read status_version again" in stale.content.decode()


def test_paging_follows_the_link_header_and_changed_since_narrows(client, demo, generated):
    api = generated.client(client, "demo.polis")
    everything = _measures(generated, api, demo.pk)
    total = int(everything.headers["X-Total-Count"])
    assert total == len(everything.parsed) >= 3
    seen: list[int] = []
    offset: int | None = 0
    while offset is not None:
        page = _measures(generated, api, demo.pk, limit=2, offset=offset)
        assert int(page.headers["X-Total-Count"]) == total and len(page.parsed) <= 2
        seen += [m.id for m in page.parsed]
        following = re.search(r'<([^>]*)>;\s*rel="next"', page.headers["Link"])
        offset = int(re.search(r"[?&]offset=(\d+)", following[1])[1]) if following else None
    assert seen == [m.id for m in everything.parsed]
    # The mark is taken after the demo is built: nothing is newer until the change below.
    mark = timezone.now()
    assert _measures(generated, api, demo.pk, changed_since=mark).parsed == []
    measure = Measure.objects.get(partnership=demo, number=4)
    read = next(m for m in everything.parsed if m.id == measure.pk)
    update = generated.endpoint("put", "/partnerships/{pk}/measures/{measure_id}/progress")
    body = generated.models.ProgressIn.from_dict(
        {"status": "paused", "reason": "Väntar på beslut", "version": read.status_version}
    )
    changed = update.sync_detailed(pk=demo.pk, measure_id=measure.pk, client=api, body=body)
    assert changed.status_code == 200, changed.content
    since = _measures(generated, api, demo.pk, changed_since=mark).parsed
    assert [m.id for m in since] == [measure.pk]


def test_field_reports_are_filed_and_read_through_the_client(client, demo, generated):
    api = generated.client(client, "demo.polis")
    categories = generated.endpoint("get", "/partnerships/{pk}/field-categories")
    places = generated.endpoint("get", "/partnerships/{pk}/field-places")
    category = categories.sync_detailed(pk=demo.pk, client=api).parsed[0]
    place = places.sync_detailed(pk=demo.pk, client=api).parsed[0]
    mark = timezone.now()
    create = generated.endpoint("post", "/partnerships/{pk}/field-reports")
    report = {
        "observed_at": (timezone.now() - datetime.timedelta(minutes=5)).isoformat(),
        "category_id": category.id,
        "place_id": place.id,
        "people": 3,
        "text": "Tre ungdomar vid kiosken, lugnt.",
        "client_token": "generated-client-1",
    }
    made = create.sync_detailed(
        pk=demo.pk, client=api, body=generated.models.FieldReportIn.from_dict(report)
    )
    assert made.status_code == 201, made.content
    assert made.parsed.people == 3 and made.parsed.place_id == place.id
    # The same submission again (its client_token) is not saved twice.
    again = create.sync_detailed(
        pk=demo.pk, client=api, body=generated.models.FieldReportIn.from_dict(report)
    )
    assert again.status_code == 200 and again.parsed.id == made.parsed.id
    # A text with an identity number is refused with a message naming the field.
    refused = create.sync_detailed(
        pk=demo.pk,
        client=api,
        body=generated.models.FieldReportIn.from_dict(
            {**report, "text": "Pojken 19950101-1234", "client_token": ""}
        ),
    )
    assert refused.status_code == 422 and "text" in refused.content.decode()
    listing = generated.endpoint("get", "/partnerships/{pk}/field-reports")
    changed = listing.sync_detailed(pk=demo.pk, client=api, changed_since=mark)
    assert changed.status_code == 200
    assert [r.id for r in changed.parsed] == [made.parsed.id]
    one = generated.endpoint("get", "/partnerships/{pk}/field-reports/{report_id}")
    read = one.sync_detailed(pk=demo.pk, report_id=made.parsed.id, client=api)
    assert read.status_code == 200 and read.parsed.text == report["text"]


def test_a_goal_is_created_and_changed_twice_with_the_versions_read(client, demo, generated):
    """Create, change with the version the answer gave, change again with the version read
    back from the list: never a 409; an old version is refused. Then a deletion is read from
    the deletion feed."""
    api = generated.client(client, "demo.polis")
    problem = Measure.objects.get(partnership=demo, number=4).problem
    create = generated.endpoint("post", "/partnerships/{pk}/goals")
    body = generated.models.GoalIn.from_dict(
        {
            "problem_id": problem.pk,
            "kind": "process",
            "text": "Fler trygghetsvandringar",
            "indicator": "Antal vandringar per kvartal",
            "unit": "st",
            "baseline": 2,
            "target": 12,
        }  # fmt: skip
    )
    made = create.sync_detailed(pk=demo.pk, client=api, body=body)
    assert made.status_code == 201, made.content
    assert made.parsed.indicator == "Antal vandringar per kvartal" and made.parsed.target == 12
    change = generated.endpoint("patch", "/partnerships/{pk}/goals/{goal_id}")

    def patch(fields: dict, version: int) -> Any:
        update = generated.models.GoalUpdate.from_dict({**fields, "version": version})
        return change.sync_detailed(pk=demo.pk, goal_id=made.parsed.id, client=api, body=update)

    first = patch({"target": 16}, made.parsed.version)
    assert first.status_code == 200, first.content
    assert first.parsed.target == 16 and first.parsed.text == "Fler trygghetsvandringar"
    listing = generated.endpoint("get", "/partnerships/{pk}/goals")
    read = next(g for g in listing.sync_detailed(pk=demo.pk, client=api).parsed
                if g.id == made.parsed.id)  # fmt: skip
    second = patch({"target": 20, "deadline": "2027-12-31"}, read.version)
    assert second.status_code == 200, second.content
    assert second.parsed.target == 20 and second.parsed.deadline == datetime.date(2027, 12, 31)
    stale = patch({"target": 1}, made.parsed.version)
    assert stale.status_code == 409
    # A deletion reaches the client through the deletion feed.
    mark = timezone.now()
    promise = demo.citizen_promises.first()
    remove = generated.endpoint("delete", "/partnerships/{pk}/citizen-promises/{promise_id}")
    gone = remove.sync_detailed(pk=demo.pk, promise_id=promise.pk, client=api,
                                version=promise.version)  # fmt: skip
    assert gone.status_code == 204, gone.content
    deleted = generated.endpoint("get", "/partnerships/{pk}/deleted")
    answer = deleted.sync_detailed(pk=demo.pk, client=api, changed_since=mark)
    assert answer.status_code == 200
    assert [(d.to_dict()["collection"], d.id) for d in answer.parsed] == [
        ("citizen-promises", promise.pk)
    ]
