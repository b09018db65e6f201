"""Settings come from the environment through typed helpers that refuse nonsense."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from samverkan.lib.env import SettingError, env_bool, env_choice, env_int, env_str, env_url

ROOT = Path(__file__).resolve().parent.parent


def test_debug_yes_is_an_error_not_false(monkeypatch):
    monkeypatch.setenv("DEBUG", "yes")
    with pytest.raises(SettingError, match="DEBUG='yes' is not a boolean"):
        env_bool("DEBUG", False)


def test_booleans_integers_and_choices_are_parsed(monkeypatch):
    monkeypatch.setenv("FLAG", "On")
    monkeypatch.setenv("NUM", "12")
    monkeypatch.setenv("KIND", "celery")
    assert env_bool("FLAG", False) is True
    assert env_int("NUM", 1) == 12
    assert env_choice("KIND", "inprocess", ("inprocess", "celery")) == "celery"
    monkeypatch.setenv("NUM", "12a")
    with pytest.raises(SettingError):
        env_int("NUM", 1)
    monkeypatch.setenv("KIND", "rq")
    with pytest.raises(SettingError, match="must be one of"):
        env_choice("KIND", "inprocess", ("inprocess", "celery"))


def test_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.delenv("MY_SECRET", raising=False)
    monkeypatch.setenv("MY_SECRET_FILE", str(secret))
    assert env_str("MY_SECRET") == "s3cret"


def _manage(*args, **env):
    leave_out = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in leave_out}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow(reason="runs manage.py check --deploy in a process of its own")
def test_check_deploy_passes_with_production_settings(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        HTTPS="true",
        SECRET_KEY="x" * 20 + "production-secret-key-that-is-long-and-random-0123456789",
        ALLOWED_HOSTS="samverkan.example.se",
        DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_bad_setting_stops_start_with_a_message(tmp_path):
    result = _manage("check", DEBUG="yes", DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DEBUG='yes' is not a boolean" in result.stderr


def test_health_endpoint_reports_database(client, db):
    response = client.get("/halsa/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "worker": "inprocess"}


def test_api_addresses_must_be_http_urls_and_lose_a_trailing_slash(monkeypatch):
    monkeypatch.setenv("SOME_API_URL", "https://mirror.example/v2/")
    assert env_url("SOME_API_URL", "https://api.example") == "https://mirror.example/v2"
    monkeypatch.setenv("SOME_API_URL", "api.kolada.se/v2")
    with pytest.raises(SettingError, match="SOME_API_URL='api.kolada.se/v2' is not an http"):
        env_url("SOME_API_URL", "https://api.example")


def test_cache_url_gives_every_process_one_redis_and_refuses_other_addresses(monkeypatch):
    from samverkan.lib.env import env_caches

    monkeypatch.delenv("CACHE_URL", raising=False)
    assert env_caches("CACHE_URL")["default"]["BACKEND"].endswith("LocMemCache")
    monkeypatch.setenv("CACHE_URL", "redis://127.0.0.1:6379/1")
    assert env_caches("CACHE_URL")["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }
    monkeypatch.setenv("CACHE_URL", "memcached://127.0.0.1:11211")
    with pytest.raises(SettingError, match="not a redis://"):
        env_caches("CACHE_URL")


def test_the_api_rate_limit_is_shared_through_redis(settings):
    """With CACHE_URL, the count of a token's requests lives in Redis, where every gunicorn
    process reads the same one (the rate limit would otherwise be per process)."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
        }
    }
    key = f"samverkan-test-shared-{uuid.uuid4().hex}"  # not another test run's
    cache = caches.create_connection("default")
    cache.add(key, 0, timeout=5)
    assert cache.incr(key) == 1
    other = caches.create_connection("default")  # another process's connection
    assert other.incr(key) == 2
    cache.delete(key)
