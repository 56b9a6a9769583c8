"""Settings are documented and parsed strictly."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictmap import settings
from conflictmap.errors import SettingsError

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented_in_the_readme(setting: settings.Setting) -> None:
    assert f"`{setting.name}`" in README.read_text(encoding="utf-8")


def test_defaults_are_offline_and_embedded() -> None:
    db_default = settings.SETTINGS_BY_NAME["CONFLICTMAP_DB_URL"].default
    assert db_default.startswith("sqlite:///") and db_default.endswith("data/conflictmap.sqlite")
    assert settings.SETTINGS_BY_NAME["CONFLICTMAP_GEOCODER"].default == "offline"
    assert settings.SETTINGS_BY_NAME["CONFLICTMAP_ALLOW_NETWORK"].default == "0"


def test_environment_overrides_and_bad_values_are_clear(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLICTMAP_GEOCODER_MIN_DELAY", "2.5")
    assert settings.get_float("CONFLICTMAP_GEOCODER_MIN_DELAY") == 2.5
    monkeypatch.setenv("CONFLICTMAP_GEOCODER_MIN_DELAY", "fast")
    with pytest.raises(SettingsError, match="CONFLICTMAP_GEOCODER_MIN_DELAY must be a number, got 'fast'"):
        settings.get_float("CONFLICTMAP_GEOCODER_MIN_DELAY")
    monkeypatch.setenv("CONFLICTMAP_ALLOW_NETWORK", "maybe")
    with pytest.raises(SettingsError, match="must be 1 or 0"):
        settings.get_bool("CONFLICTMAP_ALLOW_NETWORK")
    with pytest.raises(SettingsError, match="unknown setting"):
        settings.get("CONFLICTMAP_NOPE")
