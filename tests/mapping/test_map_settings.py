"""MAP_TILE_URL and MAP_TILE_ATTRIBUTION: a tile template or nothing, refused when nonsense."""

from __future__ import annotations

import pytest

from samverkan.lib.env import SettingError, env_tile_url
from tests.test_settings import _manage


def test_no_tile_url_means_no_tiles(monkeypatch):
    monkeypatch.delenv("MAP_TILE_URL", raising=False)
    assert env_tile_url("MAP_TILE_URL") == ""


@pytest.mark.parametrize(
    "value",
    [
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "https://{s}.tiles.example.se/wmts/{z}/{y}/{x}{r}.png",
        "http://127.0.0.1:8080/tiles/{z}/{x}/{-y}.png?key=abc",
    ],
)
def test_tile_templates_are_accepted(monkeypatch, value):
    monkeypatch.setenv("MAP_TILE_URL", value)
    assert env_tile_url("MAP_TILE_URL") == value


@pytest.mark.parametrize(
    "value,message",
    [
        ("tile.openstreetmap.org/{z}/{x}/{y}.png", "must start with https://"),
        ("ftp://tiles.example.se/{z}/{x}/{y}.png", "must start with https://"),
        ("https://tiles.example.se/{z}/{x}.png", "lacks {y}"),
        ("https://tiles.example.se/tile.png", "lacks {z}, {x}, {y}"),
        ("https://tiles.example.se/{z}/{x}/{y}.png?k={apikey}", "placeholders Leaflet cannot fill"),
        ('https://tiles.example.se/{z}/{x}/{y}.png"><script>', "must not contain"),
        ("https:///{z}/{x}/{y}.png", "names no host"),
        ("yes", "must start with https://"),
    ],
)
def test_nonsense_tile_urls_are_refused(monkeypatch, value, message):
    monkeypatch.setenv("MAP_TILE_URL", value)
    with pytest.raises(SettingError, match=message.replace("{", r"\{").replace("}", r"\}")):
        env_tile_url("MAP_TILE_URL")


def test_tile_url_without_attribution_stops_the_start(tmp_path):
    result = _manage(
        "check",
        MAP_TILE_URL="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        MAP_TILE_ATTRIBUTION="",
        DATA_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "MAP_TILE_ATTRIBUTION must be set when MAP_TILE_URL is" in result.stderr


@pytest.mark.slow(reason="starts a server process with the map settings")
def test_tile_url_with_attribution_starts(tmp_path):
    result = _manage(
        "check",
        DATA_DIR=str(tmp_path),
        MAP_TILE_URL="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        MAP_TILE_ATTRIBUTION="© OpenStreetMap-bidragsgivare",
    )
    assert result.returncode == 0, result.stderr
