"""Shared fixtures (the named users and two partnerships, ours and a foreign one) and the
suite's rules, enforced here:

* **Engines.** Every test runs on SQLite (the SQLite run of ``make test``). A test that touches
  engine-specific behaviour (vendor SQL, COPY, row locks, the jobs queue, backup and restore,
  the production stack, the API, statistics SQL, migrations) is marked ``engine`` by its path
  in ``ENGINE_SPECIFIC`` below, or by hand with ``@pytest.mark.engine``; the PostgreSQL run
  of ``make test`` runs exactly those (``-m engine``). A new test file that touches such code
  belongs in the list.
* **Slowness stays visible.** A test whose call takes longer than ``SLOW_BUDGET_SECONDS``
  must carry ``@pytest.mark.slow(reason="...")`` (the browser tests carry it by their
  folder); every run lists the unmarked ones, and fails on one whose call *used* over twice
  the budget in processor time (its own process and the children it waited for): a busy
  machine stretches a test's wall time, not the work it does, so the rule never makes the
  suite flaky (under pytest-xdist the controller decides, from the workers' reports).
* **Test databases are built from the models**, not by replaying every migration (about
  18 s of processor time per database, four databases per run): ``--no-migrations`` in
  pyproject.toml, and ``django_db_setup`` below records every migration on disk as applied,
  as ``migrate`` would, so that code reading the migration state (the backup's manifest)
  sees a migrated database. ``makemigrations --check`` (scripts/test-all) proves the models
  and the migrations agree; the backup, restore and production tests migrate real databases
  from nothing.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings as django_settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from tests import factories

# Paths (relative to the repository, a folder ends with "/") whose tests run on both engines.
ENGINE_SPECIFIC = (
    "tests/api/",  # the API: JSON fields, pagination and filters in SQL
    "tests/jobs/",  # the job queue: row locks, SKIP LOCKED, the Celery worker
    "tests/operations/",  # backup and restore, health, the production stack
    "tests/followup/",  # cycle and write-up locks, counts from incidents in SQL
    "tests/implementation/",  # progress row locks
    "tests/mapping/test_import_",  # importers: COPY on PostgreSQL, batched inserts on SQLite
    "tests/mapping/test_pgcopy.py",
    "tests/mapping/test_boundary_upload.py",  # the boundary row lock
    "tests/mapping/test_comparison_stats.py",  # statistics SQL (vendor-specific)
    "tests/mapping/test_statistics_readings.py",
    "tests/mapping/test_local_time.py",  # time zones in SQL
    "tests/mapping/test_situation_report.py",
    "tests/mapping/test_hotspot_reading.py",
    "tests/mapping/test_mapping_pages.py",  # transactional: jobs commit while pages read
    "tests/mapping/test_polisen_pages.py",
    "tests/mapping/test_settle_counts.py",
    "tests/mapping/test_stored_figures.py",  # stored figures refreshed by imports (stats SQL)
    "tests/analysis/test_analysis_timeprofile.py",  # weekday × hour in SQL
    "tests/accounts/test_login_limit.py",  # throttle rows locked, SKIP LOCKED
    "tests/learning/test_evidence_bank.py",  # harvested results in a JSON field
    "tests/accounts/test_oidc.py",
    "tests/partnerships/test_membership",  # membership row locks (and races between them)
    "tests/partnerships/test_party_governance.py",  # last-leader checks under row locks
    "tests/fieldwork/test_report_form.py",  # one report per token: unique constraint races
    "tests/partnerships/test_member_role_edit.py",
    "tests/partnerships/test_edit_conflicts.py",
    "tests/partnerships/test_history_queries.py",
    "tests/problems/test_step3_pages.py",  # problem-picture locks
    "tests/process/test_load_demo.py",  # every model, JSON fields, the import paths
    "tests/process/test_demo_mapping.py",
    "tests/process/test_dashboard_queries.py",
    "tests/test_settings.py",  # DATABASE_URL for both engines
    "tests/documents/test_stored_renderings.py",  # the rendering slot's row lock, render jobs
    "tests/documents/test_archive_package.py",  # the archive job, the rendering slot it fills
    # A second running instance, harvested (marked "production": it starts server processes,
    # so it runs once, in the PostgreSQL run, beside the production stack).
    "tests/learning/test_second_instance.py",
)
# Under an ENGINE_SPECIFIC folder but the same on both engines, so run once (on SQLite): the
# schema walk checks answers against the OpenAPI document; the API's SQL on PostgreSQL is
# covered by the other API tests there.
ONE_ENGINE = ("tests/api/test_api_schema.py",)
# Property tests (hypothesis): `make test` draws the same examples every run ("ci": a red run
# is a change's doing, never the luck of the draw); HYPOTHESIS_PROFILE=explore draws new ones
# each run, to look for what the fixed draw misses (a failure it finds is printed with the
# example to pin with @example).
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", database=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SLOW_BUDGET_SECONDS = float(os.environ.get("SAMVERKAN_SLOW_BUDGET", "3"))
# An unmarked test over the budget (wall time) is listed at the end of every run; one whose
# call used over twice the budget in processor time fails the run. Processor time, because a
# busy machine (a CI neighbour, the other run of `make test`) stretches wall time twofold and
# more: a test of 3.5 s on an idle machine took 6.5 s in a loaded run, and the rule must never
# make the suite flaky.
SLOW_FAIL_FACTOR = 2.0


def _processor_seconds() -> float:
    """Processor time of this process and of the children it has waited for."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pytest_collection_modifyitems(config, items):
    kept_modules, transactional = set(), []
    for item in items:
        path = os.path.relpath(str(item.fspath), _ROOT).replace(os.sep, "/")
        if path.startswith(ENGINE_SPECIFIC) and not path.startswith(ONE_ENGINE):
            item.add_marker(pytest.mark.engine)
        if "kept" in item.fixturenames:
            kept_modules.add(item.module)
        if (
            "transactional_db" in item.fixturenames
            or "live_server" in item.fixturenames
            or any(m.kwargs.get("transaction") for m in item.iter_markers("django_db"))
        ):
            transactional.append(item)
        if path.startswith("tests/e2e/") and item.get_closest_marker("slow") is None:
            item.add_marker(
                pytest.mark.slow(reason="drives Debian's chromium through real pages (Playwright)")
            )
        slow = item.get_closest_marker("slow")
        if slow is not None and not slow.kwargs.get("reason"):
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.slow needs reason='why'")
    for item in items:
        # Under pytest-xdist (--dist loadgroup) a module that builds rows once (kept, demo) runs
        # on one worker: split across both, each would build them again. A module whose tests
        # are long enough to share (SHARE_ACROSS_WORKERS = True) pays the build twice instead.
        if item.module in kept_modules and not getattr(item.module, "SHARE_ACROSS_WORKERS", False):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    for item in transactional:
        if item.module in kept_modules:
            # It would empty the tables under the module's kept rows (or run inside them).
            raise pytest.UsageError(
                f"{item.nodeid}: a transactional test in a module that keeps rows (kept, demo); "
                "move it to a module of its own"
            )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    start = _processor_seconds()
    try:
        return (yield)
    finally:
        item._processor_seconds = _processor_seconds() - start


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # JUnit writes the properties of the item (through its teardown report), so they go on
    # the item for scripts/check-test-reports, and on this report for the controller.
    if report.when == "setup" and item.get_closest_marker("engine") is not None:
        item.user_properties.append(("engine", "1"))
    if (
        report.when == "call"
        and report.duration > SLOW_BUDGET_SECONDS
        and item.get_closest_marker("slow") is None
    ):
        used = getattr(item, "_processor_seconds", report.duration)
        over = used > SLOW_BUDGET_SECONDS * SLOW_FAIL_FACTOR
        name = "unmarked_slow" if over else "over_budget"
        value = f"{report.duration:.1f} s ({used:.1f} s processor)"
        report.user_properties.append((name, value))
        item.user_properties.append((name, value))
    return report


def pytest_runtest_logreport(report):
    # Runs in the controller under pytest-xdist too (the workers' reports are replayed there).
    for name, value in report.user_properties if report.when == "call" else ():
        if name in ("unmarked_slow", "over_budget"):
            _slow_reports.append((report.nodeid, value, name == "unmarked_slow"))


_slow_reports: list[tuple[str, str, bool]] = []


def pytest_terminal_summary(terminalreporter):
    if _slow_reports:
        terminalreporter.section("slow tests without @pytest.mark.slow(reason=...)")
        for nodeid, value, fails in _slow_reports:
            verdict = "FAILS the run" if fails else "mark it slow or make it faster"
            terminalreporter.write_line(
                f"{value} > {SLOW_BUDGET_SECONDS:g} s budget ({verdict}): {nodeid}"
            )


def pytest_sessionfinish(session):
    if any(fails for *_, fails in _slow_reports) and not hasattr(session.config, "workerinput"):
        if session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _test_settings(media_root) -> dict:
    return {
        "MEDIA_ROOT": media_root,
        "STORAGES": {
            **django_settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        "JOBS_BACKEND": "inprocess",
        # Real hashing costs half a second per user; tests create many users.
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        # The same markup prints to the same PDF (documents/render.py): a test process keeps
        # every PDF it printed, so that the many tests that print the demo's documents lay
        # each out once (seconds each). Tests of the cache and of rendering set their own.
        "DOCUMENT_PDF_CACHE_SIZE": 256,
    }


@pytest.fixture(autouse=True)
def _media_and_jobs(request, settings, tmp_path):
    # A test that uses rows kept for its whole module (``kept``) sees that module's files too.
    if "shared_media" in request.fixturenames:
        media = request.getfixturevalue("shared_media")
    else:
        media = tmp_path / "media"
    for name, value in _test_settings(media).items():
        setattr(settings, name, value)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the API's per-token request counts, map data):
    ids come back after a rollback, so a later test's token would inherit an earlier one's
    count and meet the rate limit by the order the tests happened to run in."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default interface language, whatever the one before it left
    active in this thread (a response in English leaves English active)."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On PostgreSQL a test's commit does not wait for the disk (synchronous_commit=off: a
    crash could lose the last commits of a test database, never corrupt it): transactional
    tests commit and empty every table many times."""
    for database in django_settings.DATABASES.values():
        if "postgresql" in database["ENGINE"]:
            options = database.setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, built from the models (``--no-migrations``), with every migration on
    disk recorded as applied, as ``migrate`` leaves a new database."""
    import importlib

    from django.conf import global_settings
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    # --no-migrations hid the migration modules to build the tables; the code under test
    # (the backup reads the migrations on disk) sees them again, as the project sets them.
    project = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    django_settings.MIGRATION_MODULES = getattr(
        project, "MIGRATION_MODULES", global_settings.MIGRATION_MODULES
    )
    on_disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    with django_db_blocker.unblock():
        for alias in connections:
            connection = connections[alias]
            recorder = MigrationRecorder(connection)
            recorder.ensure_schema()
            applied = set(recorder.applied_migrations())
            recorder.migration_qs.bulk_create(
                recorder.Migration(app=app, name=name)
                for app, name in sorted(on_disk)
                if (app, name) not in applied
            )
    return django_db_setup


@pytest.fixture(scope="session", autouse=True)
def _heavy_libraries():
    """The heavy libraries load when first used, not with the apps (tests/test_startup.py); a
    test process loads them here once, so no test is billed for the import (the time budget)."""
    import importlib

    for name in ("PIL.ImageDraw", "scipy.stats", "pyarrow.csv", "pyarrow.compute", "docx"):
        importlib.import_module(name)


@pytest.fixture(scope="session")
def _warm_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """One request in each language before the first test's: a process's first request imports
    the views, loads the translation catalogues and compiles the base templates, seconds that
    would otherwise count against whichever test happens to come first (the time budget)."""
    from django.test import Client, override_settings
    from django.urls import reverse

    media = tmp_path_factory.mktemp("warm-media")
    with django_db_blocker.unblock(), override_settings(**_test_settings(media)):
        for language in ("sv", "en"):
            client = Client()
            client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
            response = client.get(reverse("accounts:login"))
            assert response.status_code == 200, response
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def client(client, _warm_process):
    """pytest-django's test client, in a process whose first request is done (_warm_process)."""
    return client


@pytest.fixture(scope="module")
def shared_media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def kept(django_db_setup, django_db_blocker, shared_media):
    """Build rows once for a whole test module: ``kept(build)`` runs ``build()`` and returns its
    result; every test of the module then sees those rows, and its own changes roll back.

    As Django's ``TestCase.setUpTestData`` does: the module's rows live in an outer transaction
    (rolled back when the module ends), each test in a savepoint inside it. Only for modules
    whose tests use ``db`` (not ``transactional_db`` or ``live_server``, which would empty the
    tables), and whose tests do not change the built objects in memory.
    """
    from django.db import transaction
    from django.test import override_settings

    overrides = override_settings(**_test_settings(shared_media))
    atomic = transaction.atomic()
    atomic._from_testcase = True  # a test's own durable=True blocks nest as in a TestCase
    with django_db_blocker.unblock():
        overrides.enable()
        atomic.__enter__()

    def build(function):
        with django_db_blocker.unblock():
            return function()

    try:
        yield build
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            overrides.disable()


@pytest.fixture(scope="module")
def kept_demo(kept):
    """The demo of ``manage.py load_demo``, loaded once per module (see ``kept``)."""
    return kept(factories.load_demo).pk


@pytest.fixture
def demo(kept_demo, db):
    """The demo partnership; the demo is loaded once per module, each test's changes roll back."""
    from samverkan.partnerships.models import Partnership

    return Partnership.objects.get(pk=kept_demo)


@pytest.fixture(scope="module")
def _kept_world(kept):
    return kept(factories.make_world)


@pytest.fixture
def kept_world(_kept_world, db):
    """The world of ``world``, built once per module (see ``kept``): each test's changes roll
    back, and no test may change the built objects in memory."""
    return _kept_world


@pytest.fixture
def world(db):
    """Our partnership (step 1 complete), a foreign one, and alice/bob/carol/steve/mallory."""
    return factories.make_world()
