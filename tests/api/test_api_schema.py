"""Schema-driven run (schemathesis): generated calls to every API operation, as a member with
a token, must never meet a server error or an answer outside the OpenAPI description."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from samverkan.api.models import ApiToken
from samverkan.wsgi import application
from tests.factories import make_world

# One world for the module, each operation's calls rolled back (tests/conftest.py, kept). Each
# operation is a test of its own, so that the two workers of `make test` share them (each
# builds the world once: the operations take far longer than the world).
SHARE_ACROSS_WORKERS = True
# The schema is read from the application itself, when the tests are collected (reading it
# touches no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(scope="module")
def kept_world(kept):
    return kept(make_world)


@pytest.fixture
def auth(kept_world, db):
    # Alice is her partnership's admin: every operation is open to her, so generated calls
    # reach the handlers (an outsider's would stop at the gate with 404).
    _token, secret = ApiToken.issue(kept_world.alice, "schemathesis")
    # Calls go through the WSGI app itself, not Django's test client: keep the test's
    # database connection (and its transaction) open across requests, as the client does.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Bearer {secret}"}
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@pytest.mark.slow(reason="schemathesis calls an API operation with generated requests")
def test_api_conforms_to_its_schema(case, auth):
    excluded = []
    if case.operation.path.endswith("/imports") or case.method.upper() in {"POST", "PATCH", "PUT"}:
        # A file can be schema-valid (any bytes) and still not be an importable file; a write
        # can be schema-valid and still name a problem that does not exist or break a rule of
        # the step's form (a sub-goal answers at least one cause). Those answer 422 with the
        # form's reasons, which is right, not a rejected valid request; every other check
        # (no server error, answers as documented) still runs on them.
        excluded.append(positive_data_acceptance)
    case.call_and_validate(headers=auth, excluded_checks=excluded)
