"""Typed exceptions. Each message says what went wrong and what to do about it.

They are turned into one-line messages only at the edges (CLI, pages), never swallowed inside.
"""

from __future__ import annotations


class ConflictMapError(Exception):
    """Base class: anything the user can act on. `str(err)` is a complete one-line message."""


class InputError(ConflictMapError):
    """An input file, paste or upload cannot be read as an article (empty, binary, too big, ...)."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class DatasetError(ConflictMapError):
    """A dataset file (ACLED / UCDP CSV) cannot be imported as a whole."""


class GeocoderError(ConflictMapError):
    """A geocoder failed in a way the user should know about (misconfigured, unreachable)."""


class GeocoderConfigError(GeocoderError):
    """The geocoder settings are incomplete, e.g. Nominatim without a user agent."""


class GeocoderUnavailable(GeocoderError):
    """The online geocoder could not be reached or kept failing; the offline result stands."""


class SettingsError(ConflictMapError):
    """A setting has a value that cannot be used."""


class StoreError(ConflictMapError):
    """The database cannot be opened or written (wrong URL, missing driver, locked)."""


class EventValidationError(ConflictMapError, ValueError):
    """A correction to an event has a value the store refuses (unknown type, latitude 200, ...)."""


class NotFoundError(StoreError, KeyError):
    """No stored event or article has that id."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""
