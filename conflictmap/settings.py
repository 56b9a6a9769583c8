"""Settings are data: one table of (name, default, help), read from the environment.

Every setting is listed in the README (a test checks that), defaults are offline and embedded.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from conflictmap.errors import SettingsError

T = TypeVar("T")

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("CONFLICTMAP_DB_URL", f"sqlite:///{DATA_DIR / 'conflictmap.sqlite'}",
            "SQLAlchemy database URL; SQLite file under data/ by default, "
            "e.g. postgresql+psycopg://user:pass@host/db for PostgreSQL."),
    Setting("CONFLICTMAP_ARTICLES_DIR", str(DATA_DIR / "articles"),
            "Folder of sample articles ingested on first start when the database is empty."),
    Setting("CONFLICTMAP_CACHE_DIR", str(DATA_DIR / "cache"),
            "Where the gazetteer index is cached on disk (built once, loaded on later starts)."),
    Setting("CONFLICTMAP_GEOCODER", "offline",
            "Geocoder chain: 'offline' (bundled gazetteer only, default) or an online geopy geocoder "
            "name tried after it ('nominatim', 'photon', 'arcgis')."),
    Setting("CONFLICTMAP_GEOCODER_URL", "",
            "Base URL of the online geocoder (e.g. a self-hosted Nominatim); empty = the public one."),
    Setting("CONFLICTMAP_USER_AGENT", "",
            "User-Agent naming your application; required by Nominatim's usage policy when online."),
    Setting("CONFLICTMAP_GEOCODER_MIN_DELAY", "1.0",
            "Seconds between online geocoder requests (Nominatim allows at most 1 per second)."),
    Setting("CONFLICTMAP_GEOCODER_TIMEOUT", "10",
            "Seconds before an online geocoder request times out."),
    Setting("CONFLICTMAP_GEOCODER_RETRIES", "2",
            "How many times a failed online lookup (timeout, 429, 5xx) is retried before the "
            "offline result stands."),
    Setting("CONFLICTMAP_ALLOW_NETWORK", "0",
            "1 lets the app fetch URLs and feeds and use online geocoders; 0 (default) stays offline."),
    Setting("CONFLICTMAP_ALLOW_PRIVATE_URLS", "0",
            "1 lets URL fetching reach loopback and private addresses (off by default: SSRF guard)."),
    Setting("CONFLICTMAP_MAX_UPLOAD_MB", "10",
            "Largest article or dataset file accepted, in megabytes."),
    Setting("CONFLICTMAP_MAX_DATASET_MB", "200",
            "Largest ACLED/UCDP CSV accepted by upload in the app, in megabytes (the CLI has no limit)."),
    Setting("CONFLICTMAP_TILES", "OpenStreetMap",
            "Map tiles: a folium tile name or URL template; 'none' draws country outlines only."),
    Setting("CONFLICTMAP_USER", "",
            "Name recorded in the audit log for corrections made on the review page "
            "(defaults to the login name)."),
)

SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str:
    """Current value of a setting: the environment variable if set, else the default."""
    try:
        setting = SETTINGS_BY_NAME[name]
    except KeyError:
        raise SettingsError(f"unknown setting {name}; known: {', '.join(SETTINGS_BY_NAME)}") from None
    return os.environ.get(name, setting.default)


def _converted(name: str, convert: Callable[[str], T], kind: str) -> T:
    value = get(name)
    try:
        return convert(value)
    except ValueError:
        raise SettingsError(f"{name} must be {kind}, got {value!r}") from None


def get_float(name: str) -> float:
    return _converted(name, float, "a number")


def get_int(name: str) -> int:
    return _converted(name, int, "a whole number")


def get_bool(name: str) -> bool:
    value = get(name).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"{name} must be 1 or 0, got {value!r}")
