"""Typed helpers that read settings from the environment and refuse nonsense.

A setting either has a valid value or the process stops with a message that names the
variable; a typo such as ``DEBUG=yes`` must never silently become False.
Secrets may come from ``NAME_FILE`` (a path whose content is the value), as container
platforms mount them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

_TRUE = {"true", "1", "on"}
_FALSE = {"false", "0", "off"}


class SettingError(Exception):
    """A setting in the environment has a value we cannot accept."""


def env_str(name: str, default: str = "") -> str:
    """Return NAME, or the content of the file named by NAME_FILE, or the default.

    An empty NAME counts as unset, as shells and compose files often leave it so.
    """
    if os.environ.get(name, "") != "":
        return os.environ[name]
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SettingError(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return default


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name, "")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingError(f"{name}={raw!r} is not a boolean; use true/false, 1/0 or on/off")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = env_str(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingError(f"{name}={raw!r} is not a whole number") from exc
    if minimum is not None and value < minimum:
        raise SettingError(f"{name}={value} is below the minimum {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name, "")
    if raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise SettingError(f"{name}={value!r} must be one of: {', '.join(choices)}")
    return value


_TILE_PLACEHOLDERS = {"{z}", "{x}", "{y}", "{-y}", "{s}", "{r}"}


def env_tile_url(name: str, default: str = "") -> str:
    """A map tile URL template (``https://…/{z}/{x}/{y}.png``), or empty for no tiles.

    Leaflet fills in ``{z}``, ``{x}`` and ``{y}`` (and ``{s}``, ``{r}`` if present); a URL
    without all three would fetch the same tile everywhere, so it is refused.
    """
    value = env_str(name, default).strip()
    if value == "":
        return ""
    if not value.startswith(("https://", "http://")):
        raise SettingError(f"{name}={value!r} must start with https:// (or http://)")
    if any(c.isspace() for c in value) or any(c in value for c in "\"'<>"):
        raise SettingError(f"{name}={value!r} must not contain spaces, quotes or angle brackets")
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in value.replace("{-y}", "{y}")]
    if missing:
        raise SettingError(
            f"{name}={value!r} lacks {', '.join(missing)}; "
            "a tile URL template looks like https://tiles.example.se/{z}/{x}/{y}.png"
        )
    unknown = sorted(set(re.findall(r"\{[^}]*\}", value)) - _TILE_PLACEHOLDERS)
    if unknown:
        raise SettingError(
            f"{name}={value!r} has placeholders Leaflet cannot fill: {', '.join(unknown)}"
        )
    if not urlsplit(value).hostname:
        raise SettingError(f"{name}={value!r} names no host")
    return value


def env_url(name: str, default: str) -> str:
    """An http or https address, returned without a trailing slash."""
    value = env_str(name, default).strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingError(f"{name}={value!r} is not an http:// or https:// address")
    return value.rstrip("/")


def env_caches(name: str) -> dict[str, dict[str, str]]:
    """Django's CACHES from a Redis address (redis://, rediss:// or unix://), or the cache of
    each process when unset (the embedded default, one process)."""
    value = env_str(name, "").strip()
    if value == "":
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    parts = urlsplit(value)
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.netloc or parts.path):
        raise SettingError(f"{name}={value!r} is not a redis://, rediss:// or unix:// address")
    backend = "django.core.cache.backends.redis.RedisCache"
    return {"default": {"BACKEND": backend, "LOCATION": value}}


_IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}


def env_image(name: str) -> str:
    """The path of a PNG or JPEG file (e.g. a logo), or "" when unset.

    Checked at start-up: a missing file or a file of another kind would otherwise break
    every document build later, far from the setting that caused it.
    """
    value = env_str(name, "").strip()
    if value == "":
        return ""
    path = Path(value)
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise SettingError(f"{name}={value!r} cannot be read: {exc}") from exc
    if not any(head.startswith(magic) for magic in _IMAGE_MAGIC):
        raise SettingError(f"{name}={value!r} is not a PNG or JPEG image")
    return str(path.resolve())
