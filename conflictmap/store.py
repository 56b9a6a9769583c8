"""The only module that speaks SQL: Extractions, imported event frames and corrections in; Articles,
Places, Events, pandas frames, audit rows and a geocoder cache out.

SQLAlchemy 2 Core over SQLite by default (a file under data/, WAL mode, busy timeout, so a CLI
ingest and the app can run together) or PostgreSQL by URL (`postgresql+psycopg://...`). Every
write happens in one transaction; the pool gives each thread its own connection, because Streamlit
serves each session on its own thread.

One incident is one stored event however many articles report it: `save_extraction` links a
later article's report to the stored event (`event_sources`) and merges sources, fatalities,
place and date (`merge_reports`) instead of storing a second point.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import sqlite3
import threading
import unicodedata
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, timedelta
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import StaticPool

from conflictmap import settings
from conflictmap.errors import EventValidationError, NotFoundError, StoreError
from conflictmap.models import (
    GEO_PRECISION_EXACT,
    GEO_PRECISION_REGION,
    REVIEW_CORRECTED,
    REVIEW_MACHINE,
    REVIEW_REVIEWED,
    Article,
    Candidate,
    Event,
    Extraction,
    Mention,
    Place,
)
from conflictmap.taxonomy import (
    DISORDER_TYPES,
    SUB_EVENT_TYPES,
    canonical_sub_event_type,
    is_known_type_pair,
)

# The ACLED taxonomy lives in conflictmap.taxonomy; these names stay importable from here.
ACLED_SUB_EVENT_TYPES = SUB_EVENT_TYPES


def correction_key(name: str) -> str:
    """How place names are compared for corrections: casefolded, NFC, single spaces."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


# ---------------------------------------------------------------------------------------------
# Result records
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SaveResult:
    """What one save_extraction did (all zero except kept/unchanged when the article was known)."""

    article_added: bool
    places_added: int
    places_updated: int
    events_added: int
    events_updated: int
    events_kept: int  # already corrected, reviewed or deleted by a person: left as they are
    events_unchanged: int = 0
    # Same incident as a stored event of another article: linked to it, not stored again.
    events_merged: int = 0


@dataclass(frozen=True)
class BatchResult:
    """What one import_events batch did."""

    imported: int
    updated: int
    unchanged: int
    kept: int  # rows a person corrected, reviewed or deleted: not overwritten


@dataclass(frozen=True)
class StoredArticle:
    """An article as stored, with its places (resolved or not) and its live events."""

    article: Article
    places: list[Place]
    events: list[Event]


# ---------------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------------
metadata = sa.MetaData()

articles_t = sa.Table(
    "articles", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("date", sa.Date),
    sa.Column("language", sa.String(16), nullable=False, default="und"),
    sa.Column("source", sa.Text, nullable=False, default=""),
    sa.Column("url", sa.Text),
    sa.Column("path", sa.Text),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("country_hint", sa.String(8), nullable=False, default=""),
    sa.Column("ingested_at", sa.String(40), nullable=False),
)

places_t = sa.Table(
    "places", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("article_id", sa.String(64), sa.ForeignKey("articles.id"), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("name_key", sa.Text, nullable=False),
    sa.Column("start_offset", sa.Integer, nullable=False),
    sa.Column("end_offset", sa.Integer, nullable=False),
    sa.Column("cue", sa.Text),
    sa.Column("resolved", sa.Boolean, nullable=False),
    sa.Column("place_id", sa.Text),
    sa.Column("name", sa.Text),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("country_code", sa.String(8)),
    sa.Column("feature", sa.Text),
    sa.Column("admin1", sa.Text),
    sa.Column("population", sa.BigInteger),
    sa.Column("source", sa.Text),
    sa.Column("precision", sa.Integer, nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("candidates", sa.Text, nullable=False),  # the mention's candidates, JSON
    sa.Column("alternatives", sa.Text, nullable=False),  # JSON list of Candidate records
    sa.Column("country_hint", sa.String(8), nullable=False),
    sa.Column("corrected", sa.Boolean, nullable=False, default=False),
    sa.UniqueConstraint("article_id", "start_offset", "end_offset", name="uq_place_span"),
)
sa.Index("ix_places_key", places_t.c.name_key, places_t.c.country_hint)

# Event columns in Event's field order; `actors` is stored "; "-joined (as in events_frame).
EVENT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Event))
_INT_FIELDS = ("time_precision", "geo_precision")
_NULLABLE_INT_FIELDS = ("inter1", "inter2", "interaction", "fatalities", "evidence_start",
                        "evidence_end")
_FLOAT_FIELDS = ("lat", "lon", "confidence")
_TEXT_FIELDS = tuple(
    f for f in EVENT_FIELDS
    if f not in {"event_date", *_INT_FIELDS, *_NULLABLE_INT_FIELDS, *_FLOAT_FIELDS}
)
# How the per-article save path converts each Event field to a DB value.
_EVENT_KINDS: tuple[tuple[str, str], ...] = tuple(
    (f, "date" if f == "event_date" else "int" if f in _INT_FIELDS
     else "int?" if f in _NULLABLE_INT_FIELDS else "float" if f == "confidence"
     else "float?" if f in _FLOAT_FIELDS else "actors" if f == "actors" else "text")
    for f in EVENT_FIELDS)
_EVENT_DATE_INDEX = EVENT_FIELDS.index("event_date")


def _event_column(name: str) -> sa.Column[Any]:
    if name == "event_id":
        return sa.Column(name, sa.String(80), primary_key=True)
    if name == "event_date":
        return sa.Column(name, sa.Date)
    if name in _INT_FIELDS:
        return sa.Column(name, sa.Integer, nullable=False)
    if name in _NULLABLE_INT_FIELDS:
        return sa.Column(name, sa.Integer)
    if name in ("lat", "lon"):
        return sa.Column(name, sa.Float)
    if name == "confidence":
        return sa.Column(name, sa.Float, nullable=False)
    return sa.Column(name, sa.Text, nullable=False, default="")


events_t = sa.Table(
    "events", metadata,
    *(_event_column(n) for n in EVENT_FIELDS),
    sa.Column("origin", sa.String(16), nullable=False, default="article"),  # article/acled/ucdp
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
    sa.Column("row_hash", sa.BigInteger, nullable=False, default=0),  # skips unchanged re-imports
    sa.Column("updated_at", sa.String(40), nullable=False, default=""),
    # The data version (meta.counter) of the last write to the row: events_frame re-reads only
    # the rows written since the frame it already holds.
    sa.Column("version", sa.BigInteger, nullable=False, default=0),
    # Article events only: the 1-degree grid cell of the point (or, without coordinates, a
    # negative key of the place name), so finding "the same incident from another article" is
    # an index range read per cell, never a scan. Imported datasets leave it NULL.
    sa.Column("geo_cell", sa.BigInteger),
)
sa.Index("ix_events_article", events_t.c.article_id)
sa.Index("ix_events_version", events_t.c.version)
ix_events_incident = sa.Index(
    "ix_events_incident", events_t.c.geo_cell, events_t.c.event_date,
    sqlite_where=events_t.c.geo_cell.isnot(None), postgresql_where=events_t.c.geo_cell.isnot(None))

# Which articles report which stored event. An event from article B that is the same incident as
# a stored event K of article A is not stored as a second point: B is linked to K here, with
# B's own version of the event (JSON), so K's merged values (sources, fatalities, best place and
# date) can be recomputed from all reports. K's own article gets a row too once K has a second
# report; events reported by one article only have no rows.
event_sources_t = sa.Table(
    "event_sources", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),  # order of arrival
    sa.Column("event_id", sa.String(80), nullable=False),  # the stored (kept) event
    sa.Column("article_id", sa.String(64), sa.ForeignKey("articles.id"), nullable=False),
    sa.Column("contributed_id", sa.String(80), nullable=False),  # the event's id in that article
    sa.Column("event_json", sa.Text, nullable=False),  # that article's version of the event
    sa.Column("added_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("article_id", "contributed_id", name="uq_event_source"),
)
sa.Index("ix_event_sources_event", event_sources_t.c.event_id)

audit_t = sa.Table(
    "audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(80), nullable=False),
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),  # update, reviewed, delete, place
    sa.Column("field", sa.Text, nullable=False),
    sa.Column("before", sa.Text, nullable=False),  # JSON
    sa.Column("after", sa.Text, nullable=False),  # JSON
)
sa.Index("ix_audit_event", audit_t.c.event_id)

place_corrections_t = sa.Table(
    "place_corrections", metadata,
    sa.Column("name_key", sa.Text, primary_key=True),
    sa.Column("country_hint", sa.String(8), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("candidate", sa.Text, nullable=False),  # JSON Candidate
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
)

geocode_cache_t = sa.Table(
    "geocode_cache", metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("candidates", sa.Text, nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
)

meta_t = sa.Table(
    "meta", metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("counter", sa.BigInteger, nullable=False, default=0),
)

# events_frame: repeated strings become categoricals (a few thousand distinct actors, places and
# types over a million rows), unique text stays pyarrow-backed str.
_UNIQUE_TEXT = ("event_id", "evidence", "notes")
_FRAME_COLUMNS = (*EVENT_FIELDS, "article_title")


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _utcnow() -> datetime:
    return datetime.now(UTC)


def _candidate_json(c: Candidate) -> dict[str, Any]:
    # Written out (not dataclasses.asdict, which deep-copies field by field): a save dumps
    # thousands of candidates. Same keys in the same order as asdict.
    return {"place_id": c.place_id, "name": c.name, "lat": c.lat, "lon": c.lon,
            "country_code": c.country_code, "feature": c.feature, "admin1": c.admin1,
            "population": c.population, "source": c.source}


def _candidate_from(d: Mapping[str, Any]) -> Candidate:
    return Candidate(
        place_id=str(d.get("place_id", "")), name=str(d.get("name", "")),
        lat=float(d.get("lat", 0.0)), lon=float(d.get("lon", 0.0)),
        country_code=str(d.get("country_code", "")), feature=str(d.get("feature", "")),
        admin1=str(d.get("admin1", "")), population=int(d.get("population", 0) or 0),
        source=str(d.get("source", "geonames")),
    )


def _candidates_dump(cands: Sequence[Candidate]) -> str:
    return json.dumps([_candidate_json(c) for c in cands], ensure_ascii=False)


def _candidates_load(text: str | None) -> tuple[Candidate, ...]:
    if not text:
        return ()
    return tuple(_candidate_from(d) for d in json.loads(text))


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (sa_exc.ArgumentError, ValueError):
        return "<unparseable URL>"


_COUNTRY_NAMES: dict[str, str] | None = None


def country_name(iso2: str) -> str:
    """English country name for an ISO 3166-1 alpha-2 code (CLDR via babel); '' when unknown."""
    global _COUNTRY_NAMES
    if _COUNTRY_NAMES is None:
        from babel import Locale

        _COUNTRY_NAMES = {k: v for k, v in Locale("en").territories.items() if k.isalpha()}
        _COUNTRY_NAMES.update({"PS": "Palestine", "CD": "Democratic Republic of Congo",
                               "CG": "Republic of Congo", "MM": "Myanmar"})
    return _COUNTRY_NAMES.get(iso2.upper(), "") if iso2 else ""


def _article_country_hint(places: Sequence[Place]) -> str:
    """The country an article is about: most mentioned country among its resolved places."""
    counts = Counter(p.candidate.country_code for p in places
                     if p.candidate is not None and p.candidate.country_code)
    return counts.most_common(1)[0][0] if counts else ""


def _precision_for(candidate: Candidate) -> int:
    if candidate.feature in ("country", "admin1", "admin2", "region", "continent", "water"):
        return GEO_PRECISION_REGION
    return GEO_PRECISION_EXACT


def _jsonable(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


# ---------------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------------
class Store:
    """Articles, places, events, audit log, place corrections and geocoder cache in one database.

    url: SQLAlchemy URL; defaults to the setting CONFLICTMAP_DB_URL (SQLite file under data/).
    clock: returns "now" (UTC) for audit rows; tests pass a fixed clock.

    >>> store = Store("sqlite:///tmp/x.sqlite")   # doctest: +SKIP
    >>> store.save_extraction(extraction).events_added   # doctest: +SKIP
    """

    def __init__(self, url: str | None = None, *, clock: Callable[[], datetime] | None = None) -> None:
        self.url = url or settings.get("CONFLICTMAP_DB_URL")
        self._clock = clock or _utcnow
        self._engine = self._create_engine(self.url)
        self.dialect = self._engine.dialect.name
        self._ph = "?" if self.dialect == "sqlite" else "%s"
        self._lock = threading.Lock()
        self._frame_cache: tuple[str, int, pd.DataFrame] | None = None
        self._sql = self._build_statements()
        try:
            metadata.create_all(self._engine)
            self._migrate()
            with self._write() as conn:
                if conn.execute(sa.select(meta_t.c.key).where(meta_t.c.key == "events")).first() is None:
                    # A random instance id makes data_version differ across recreated databases.
                    conn.execute(meta_t.insert().values(key="events", value=uuid.uuid4().hex[:12],
                                                        counter=0))
        except sa_exc.SQLAlchemyError as err:
            raise StoreError(f"cannot open database {_safe_url(self.url)}: "
                             f"{_one_line(err)}; check CONFLICTMAP_DB_URL") from None

    def _migrate(self) -> None:
        """Add columns that older databases of ours lack (additive only)."""
        columns = {c["name"] for c in sa.inspect(self._engine).get_columns("events")}
        if "version" not in columns:
            with self._write() as conn:
                conn.exec_driver_sql("ALTER TABLE events ADD COLUMN version BIGINT NOT NULL DEFAULT 0")
                conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_events_version ON events (version)")
        if "geo_cell" not in columns:
            with self._write() as conn:
                conn.exec_driver_sql("ALTER TABLE events ADD COLUMN geo_cell BIGINT")
                ix_events_incident.create(conn, checkfirst=True)
                rows = conn.execute(sa.select(events_t.c.event_id, events_t.c.lat, events_t.c.lon,
                                              events_t.c.location)
                                    .where(events_t.c.origin == "article")).all()
                if rows:
                    conn.execute(events_t.update().where(events_t.c.event_id == sa.bindparam("eid"))
                                 .values(geo_cell=sa.bindparam("cell")),
                                 [{"eid": r.event_id, "cell": geo_cell(r.lat, r.lon, r.location)}
                                  for r in rows])

    # -- connections -------------------------------------------------------------------------
    @staticmethod
    def _create_engine(url: str) -> Engine:
        safe = _safe_url(url)
        try:
            parsed = make_url(url)
        except sa_exc.ArgumentError:
            raise StoreError(f"CONFLICTMAP_DB_URL {url!r} is not a database URL; expected e.g. "
                             "sqlite:///data/conflictmap.sqlite or postgresql+psycopg://user@host/db"
                             ) from None
        kwargs: dict[str, Any] = {}
        is_sqlite = parsed.get_backend_name() == "sqlite"
        if is_sqlite:
            database = parsed.database or ""
            if database in ("", ":memory:"):
                # One shared in-memory database for all threads (tests); a file otherwise.
                kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
            else:
                try:
                    Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
                except OSError as err:
                    raise StoreError(f"cannot create the folder for {safe}: {err.strerror}") from None
                kwargs.update(pool_size=10, max_overflow=30, pool_timeout=60,
                              connect_args={"check_same_thread": False, "timeout": 30})
        else:
            kwargs.update(pool_size=10, max_overflow=30, pool_pre_ping=True, pool_timeout=60)
        try:
            engine = sa.create_engine(url, **kwargs)
        except sa_exc.NoSuchModuleError:
            raise StoreError(f"unknown database kind in {safe}; use sqlite:/// or "
                             "postgresql+psycopg://") from None
        except ImportError as err:
            raise StoreError(f"the database driver for {safe} is not installed ({err.name}); "
                             "pip install 'psycopg[binary]' for PostgreSQL") from None
        except sa_exc.ArgumentError as err:
            raise StoreError(f"bad database URL {safe}: {_one_line(err)}") from None
        if is_sqlite:
            _configure_sqlite(engine)
        return engine

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (BEGIN IMMEDIATE on SQLite: no lock upgrade deadlocks)."""
        try:
            with self._engine.connect() as conn:
                conn.execution_options(cm_write=True)
                with conn.begin():
                    yield conn
        except sa_exc.OperationalError as err:
            raise StoreError(f"cannot write to {_safe_url(self.url)}: {_one_line(err)}") from None

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """One read transaction: a consistent snapshot while a writer commits."""
        try:
            with self._engine.connect() as conn, conn.begin():
                yield conn
        except sa_exc.OperationalError as err:
            raise StoreError(f"cannot read {_safe_url(self.url)}: {_one_line(err)}") from None

    def close(self) -> None:
        """Release every pooled connection (the file stays)."""
        self._engine.dispose()

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat(timespec="seconds")

    def _bump_version(self, conn: Connection) -> int:
        """Next data version, taken inside the write transaction (it also serialises writers on
        PostgreSQL: the meta row stays locked until commit). Rows written get this number."""
        conn.execute(meta_t.update().where(meta_t.c.key == "events")
                     .values(counter=meta_t.c.counter + 1))
        return int(conn.execute(sa.select(meta_t.c.counter).where(meta_t.c.key == "events"))
                   .scalar_one())

    def _insert(self, table: sa.Table) -> Any:
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert(table)
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)

    # -- articles, places, events from the pipeline ------------------------------------------
    def save_extraction(self, extraction: Extraction) -> SaveResult:
        """Store an article, its places and its events in one transaction; idempotent.

        Re-saving the same article adds nothing; a re-run with better places or events updates
        machine-made rows, never those a person corrected, reviewed or deleted. An event that is
        the same incident (`conflictmap.events.same_incident`) as a stored event of another
        article becomes no second point: the article is linked to the stored event, which lists
        both sources and whose fatalities, place and date are merged from all its reports
        (`merge_reports`); `get_article` of either article returns it.
        """
        art = extraction.article
        aid = art.id
        hint = _article_country_hint(extraction.places)
        now = self._now()
        text_dates = self.dialect == "sqlite"
        # Rows are built before the write lock is taken, so the lock is held for SQL only.
        place_rows = _unique_place_rows(aid, extraction.places, hint)
        prepared = _prepare_article_events(extraction.events, aid, art.source, now, text_dates)
        with self._write() as conn:
            known = conn.exec_driver_sql(self._sql["article_exists"], (aid,)).first() is not None
            if not known:
                conn.exec_driver_sql(self._sql["insert_article"], (
                    aid, art.title, art.body, _date_param(art.date, text_dates), art.language,
                    art.source, art.url, art.path, aid, hint, now))
            places_added, places_updated = self._save_places(conn, aid, place_rows, known=known)
            counts = self._save_article_events(conn, aid, prepared, known=known, now=now)
            self._apply_known_corrections(conn, aid)
        return SaveResult(article_added=not known, places_added=places_added,
                          places_updated=places_updated, events_added=counts["added"],
                          events_updated=counts["updated"], events_kept=counts["kept"],
                          events_unchanged=counts["unchanged"], events_merged=counts["merged"])

    def _build_statements(self) -> dict[str, str]:
        """The per-article statements, compiled to SQL text once per store: executemany with one
        statement costs microseconds a row, SQLAlchemy's insert().values() a millisecond.

        Only fixed table and column names (quoted by the dialect) and placeholders are
        interpolated; every value is bound."""
        ph, q = self._ph, self._quote

        def insert(table: str, cols: Sequence[str]) -> str:
            return (f"INSERT INTO {table} ({', '.join(q(c) for c in cols)}) "  # noqa: S608
                    f"VALUES ({', '.join([ph] * len(cols))})")

        place_set = [c for c in _PLACE_COLUMNS if c not in ("article_id", "start_offset", "end_offset")]
        event_set = [c for c in _ARTICLE_EVENT_COLUMNS if c not in ("event_id", "deleted")]
        return {
            "article_exists": f"SELECT 1 FROM articles WHERE id = {ph}",  # noqa: S608
            "insert_article": insert("articles", _ARTICLE_COLUMNS),
            "insert_place": insert("places", _PLACE_COLUMNS),
            # Reordered to the UPDATE's parameter order by _save_places.
            "update_place": (f"UPDATE places SET {', '.join(f'{q(c)} = {ph}' for c in place_set)} "  # noqa: S608
                             f"WHERE article_id = {ph} AND start_offset = {ph} AND end_offset = {ph}"),
            "article_places": ("SELECT start_offset, end_offset, corrected, place_id, precision, "  # noqa: S608
                               f"alternatives FROM places WHERE article_id = {ph}"),
            "upsert_event": (insert("events", _ARTICLE_EVENT_COLUMNS)
                             + " ON CONFLICT (event_id) DO UPDATE SET "
                             + ", ".join(f"{q(c)} = excluded.{q(c)}" for c in event_set)
                             + f" WHERE events.review_status = '{REVIEW_MACHINE}' AND NOT events.deleted"),
            "article_links": ("SELECT contributed_id, event_id, event_json FROM event_sources "  # noqa: S608
                              f"WHERE article_id = {ph}"),
            "event_links": f"SELECT contributed_id FROM event_sources WHERE event_id = {ph}",  # noqa: S608
            # Two writers (PostgreSQL) may link the same report at once: the first one wins.
            "insert_link": insert("event_sources", ("event_id", "article_id", "contributed_id",
                                                    "event_json", "added_at"))
                           + " ON CONFLICT (article_id, contributed_id) DO NOTHING",
            "update_link": (f"UPDATE event_sources SET event_json = {ph} "  # noqa: S608
                            f"WHERE article_id = {ph} AND contributed_id = {ph}"),
            "reports": ("SELECT s.contributed_id, s.event_json, a.date FROM event_sources s "  # noqa: S608
                        f"LEFT JOIN articles a ON a.id = s.article_id WHERE s.event_id = {ph} "
                        "ORDER BY s.id"),
            "update_merged": (f"UPDATE events SET {', '.join(f'{q(c)} = {ph}' for c in _MERGED_FIELDS)}, "  # noqa: S608
                              f"geo_cell = {ph}, version = {ph}, updated_at = {ph} "
                              f"WHERE event_id = {ph} AND review_status = '{REVIEW_MACHINE}' "
                              "AND NOT deleted"),
        }

    def _save_places(self, conn: Connection, aid: str, rows: list[tuple[Any, ...]], *,
                     known: bool) -> tuple[int, int]:
        if not rows:
            return 0, 0
        if not known:  # a new article has no places yet: one executemany
            conn.exec_driver_sql(self._sql["insert_place"], rows)
            return len(rows), 0
        existing = {(r[0], r[1]): r for r in conn.exec_driver_sql(self._sql["article_places"], (aid,))}
        new: list[tuple[Any, ...]] = []
        changed: list[tuple[Any, ...]] = []
        for row in rows:
            old = existing.get((row[_P_START], row[_P_END]))
            if old is None:
                new.append(row)
            elif not old[2] and (old[3] != row[_P_PLACE_ID] or old[4] != row[_P_PRECISION]
                                 or old[5] != row[_P_ALTERNATIVES]):
                changed.append(tuple(v for i, v in enumerate(row) if i not in _P_KEYS)
                               + (aid, row[_P_START], row[_P_END]))
        if new:
            conn.exec_driver_sql(self._sql["insert_place"], new)
        if changed:
            conn.exec_driver_sql(self._sql["update_place"], changed)
        return len(new), len(changed)

    def _save_article_events(self, conn: Connection, aid: str, prepared: list[_PreparedEvent], *,
                             known: bool, now: str) -> dict[str, int]:
        counts = dict.fromkeys(("added", "updated", "unchanged", "kept", "merged"), 0)
        if not prepared:
            return counts
        ids = [p.event.event_id for p in prepared]
        # Only placeholders are interpolated; the ids are bound parameters.
        stored = {r[0]: r for r in conn.exec_driver_sql(
            "SELECT event_id, review_status, deleted, row_hash FROM events "  # noqa: S608
            f"WHERE event_id IN ({', '.join([self._ph] * len(ids))})", tuple(ids))}
        # A new article has no links yet (link rows name the article's own event ids).
        links = ({r[0]: (r[1], r[2]) for r in conn.exec_driver_sql(self._sql["article_links"], (aid,))}
                 if known else {})
        writes: list[tuple[Any, ...]] = []
        new_links: list[tuple[str, str, str, str, str]] = []
        link_updates: list[tuple[str, str, str]] = []
        refresh: dict[str, None] = {}  # kept events whose merged values must be recomputed
        own_linked: set[str] = set()
        for p in prepared:
            eid = p.event.event_id
            old = stored.get(eid)
            if old is not None:
                if old[2] or old[1] != REVIEW_MACHINE:
                    counts["kept"] += 1
                elif int(old[3]) == p.row_hash:
                    counts["unchanged"] += 1
                else:
                    writes.append(p.values)
                    counts["updated"] += 1
                    if eid in links:  # the event has other reports: merge them again
                        link_updates.append((_event_json(p.event), aid, eid))
                        refresh[eid] = None
                continue
            link = links.get(eid)
            if link is not None:  # merged into another article's event earlier
                target, old_json = link
                new_json = _event_json(p.event)
                if new_json == old_json:
                    counts["unchanged"] += 1
                else:
                    link_updates.append((new_json, aid, eid))
                    refresh[target] = None
                    counts["updated"] += 1
                continue
            match = self._find_same_incident(conn, aid, p.event)
            if match is None:
                writes.append(p.values)
                counts["added"] += 1
                continue
            target_event, person_or_deleted = match
            tid = target_event.event_id
            if tid not in own_linked:
                own_linked.add(tid)
                if conn.exec_driver_sql(self._sql["event_links"], (tid,)).first() is None:
                    # The stored event's first second report: remember its own version too.
                    new_links.append((tid, target_event.article_id, tid,
                                      _event_json(target_event), now))
            new_links.append((tid, aid, eid, _event_json(p.event), now))
            counts["merged"] += 1
            if not person_or_deleted:  # a person's event only gains the link
                refresh[tid] = None
        if not (writes or refresh or new_links or link_updates):
            return counts
        version = self._bump_version(conn) if (writes or refresh) else 0
        if writes:
            conn.exec_driver_sql(self._sql["upsert_event"], [(*v, version) for v in writes])
        if new_links:
            conn.exec_driver_sql(self._sql["insert_link"], new_links)
        if link_updates:
            conn.exec_driver_sql(self._sql["update_link"], link_updates)
        for tid in refresh:
            self._refresh_merged(conn, tid, version=version, now=now)
        return counts

    def _find_same_incident(self, conn: Connection, aid: str, event: Event
                            ) -> tuple[Event, bool] | None:
        """The stored event of another article that reports the same incident (live before
        deleted, same type, then nearest in time and space), and whether a person corrected,
        reviewed or deleted it; None when there is none. Reads only the events of the
        neighbouring grid cells within the date window (an index range each)."""
        if event.event_date is None:  # same_incident never merges undated events across articles
            return None
        ph = self._ph
        text_dates = self.dialect == "sqlite"
        day = event.event_date
        precision = event.time_precision if event.time_precision in MERGE_DAY_TOLERANCE else 3
        wide, near = timedelta(days=MERGE_MAX_DAYS), timedelta(days=MERGE_DAY_TOLERANCE[precision])
        cells = _neighbour_cells(event.lat, event.lon, event.location)
        # Cells are integers we computed; everything else is bound. A candidate as precise as
        # this event (or more) must be within this event's tolerance; a vaguer one may be
        # further off, up to the widest tolerance.
        where = [f"geo_cell IN ({', '.join(str(int(c)) for c in cells)})",
                 f"event_date >= {ph} AND event_date <= {ph}",
                 f"(event_date >= {ph} AND event_date <= {ph} OR time_precision > {ph})",
                 "origin = 'article'", f"article_id <> {ph}"]
        params: list[Any] = [_date_param(day - wide, text_dates), _date_param(day + wide, text_dates),
                             _date_param(day - near, text_dates), _date_param(day + near, text_dates),
                             precision, aid]
        if event.lat is not None and event.lon is not None and cells[0] >= 0:
            # Events without coordinates are compared by place name (their cell is the name's).
            where[0] = where[0][:-1] + f", {geo_cell(None, None, event.location)})"
            dlat, dlon = _degrees_around(event.lat)
            where.append(f"(lat IS NULL OR lat >= {ph} AND lat <= {ph})")
            params += [event.lat - dlat, event.lat + dlat]
            if -180 <= event.lon - dlon and event.lon + dlon <= 180:  # no box across the date line
                where.append(f"(lon IS NULL OR lon >= {ph} AND lon <= {ph})")
                params += [event.lon - dlon, event.lon + dlon]
        sql = (f"SELECT {', '.join(self._quote(c) for c in EVENT_FIELDS)}, deleted "  # noqa: S608
               f"FROM events WHERE {' AND '.join(where)}")
        rows = conn.exec_driver_sql(sql, tuple(params)).all()
        if not rows:
            return None
        from conflictmap.events import same_incident

        best: tuple[tuple[Any, ...], Event, bool] | None = None
        for r in rows:
            candidate = _event_from_row(r._mapping)
            if not same_incident(candidate, event):
                continue
            deleted = bool(r[-1])
            key = (deleted, candidate.event_type != event.event_type,
                   abs((candidate.event_date - event.event_date).days) if candidate.event_date else 99,
                   _km(candidate, event), candidate.event_id)
            if best is None or key < best[0]:
                best = (key, candidate, deleted or candidate.review_status != REVIEW_MACHINE)
        return None if best is None else (best[1], best[2])

    def _refresh_merged(self, conn: Connection, event_id: str, *, version: int, now: str) -> None:
        """Recompute a machine event's merged values from every article that reports it."""
        rows = conn.exec_driver_sql(self._sql["reports"], (event_id,)).all()
        if not rows:
            return
        reports = [(_event_from_json(r[1]), _as_date(r[2])) for r in rows]
        own = next((i for i, r in enumerate(rows) if r[0] == event_id), 0)
        base, base_date = reports.pop(own)
        merged = merge_reports(base, base_date, reports)
        text_dates = self.dialect == "sqlite"
        values = [_date_param(merged.event_date, text_dates) if f == "event_date"
                  else "; ".join(merged.actors) if f == "actors" else getattr(merged, f)
                  for f in _MERGED_FIELDS]
        conn.exec_driver_sql(self._sql["update_merged"], (
            *values, geo_cell(merged.lat, merged.lon, merged.location), version, now, event_id))

    def _upsert_frame(self, conn: Connection, frame: pd.DataFrame, *, origin: str,
                      now: str) -> BatchResult:
        """Bulk upsert a frame of Event columns: new rows in, changed machine rows updated."""
        frame = frame.drop_duplicates("event_id", keep="first")
        arrays = _canonical_arrays(frame)
        hashes = _row_hashes(arrays)
        ids = arrays["event_id"].to_numpy(zero_copy_only=False)
        n = len(ids)
        status = np.zeros(n, dtype=np.int8)  # 0 new, 1 machine, 2 kept (person or deleted)
        old_hash = np.zeros(n, dtype=np.int64)
        if self._has_events(conn):
            index = pd.Index(ids)
            chunk = 5000
            for i in range(0, n, chunk):
                part = ids[i:i + chunk].tolist()
                # Only placeholders are interpolated; the ids are bound parameters.
                sql = ("SELECT event_id, review_status, deleted, row_hash FROM events "  # noqa: S608
                       "WHERE event_id IN (" + ",".join([self._ph] * len(part)) + ")")
                found = conn.exec_driver_sql(sql, tuple(part)).all()
                if not found:
                    continue
                pos = index.get_indexer([r[0] for r in found])
                status[pos] = [2 if (r[2] or r[1] != REVIEW_MACHINE) else 1 for r in found]
                old_hash[pos] = [int(r[3]) for r in found]
        same = (status == 1) & (old_hash == hashes)
        write_mask = (status == 0) | ((status == 1) & ~same)
        result = BatchResult(imported=int((status == 0).sum()),
                             updated=int(((status == 1) & ~same).sum()),
                             unchanged=int(same.sum()), kept=int((status == 2).sum()))
        if not write_mask.any():
            return result
        if not write_mask.all():
            take = pa.array(np.flatnonzero(write_mask))
            arrays = {k: v.take(take) for k, v in arrays.items()}
            hashes = hashes[write_mask]
        values, rows = _rows_for_db(arrays, hashes, origin=origin, now=now,
                                    dates_as_text=self.dialect == "sqlite", placeholder=self._ph)
        values.append(str(self._bump_version(conn)))
        cols = [*EVENT_FIELDS, "origin", "deleted", "row_hash", "updated_at", "version"]
        quoted = [self._quote(c) for c in cols]
        set_cols = [c for c in cols if c not in ("event_id", "deleted")]
        # Column names come from EVENT_FIELDS (quoted by the dialect); values are bound, or
        # literals made by _sql_literal (numbers and quote-doubled printable strings only).
        sql = (f"INSERT INTO events ({', '.join(quoted)}) VALUES "  # noqa: S608
               f"({', '.join(values)}) ON CONFLICT (event_id) DO UPDATE SET "
               + ", ".join(f"{self._quote(c)} = excluded.{self._quote(c)}" for c in set_cols)
               + f" WHERE events.review_status = '{REVIEW_MACHINE}' AND NOT events.deleted")
        # The DB-API cursor takes the rows as a stream: no million-tuple list in memory.
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(sql, rows)  # type: ignore[arg-type]  # both drivers take iterators
        finally:
            cursor.close()
        return result

    def _has_events(self, conn: Connection) -> bool:
        return conn.execute(sa.select(events_t.c.event_id).limit(1)).first() is not None

    def _quote(self, name: str) -> str:
        return self._engine.dialect.identifier_preparer.quote(name)

    def import_events(self, frame: pd.DataFrame, *, origin: str) -> BatchResult:
        """Bulk-store one batch of validated events (columns = Event fields) in one transaction.

        Idempotent by event_id: unchanged rows are skipped, changed machine rows updated, rows a
        person corrected, reviewed or deleted are kept. Used by the ACLED / UCDP importers.
        """
        missing = [c for c in EVENT_FIELDS if c not in frame.columns]
        if missing:
            raise ValueError(f"import_events needs Event columns; missing {', '.join(missing)}")
        with self._write() as conn:
            result = self._upsert_frame(conn, frame, origin=origin, now=self._now())
        return result

    def has_article(self, article_id: str) -> bool:
        """True when an article with this id (content hash) is stored."""
        with self._read() as conn:
            return conn.execute(sa.select(articles_t.c.id)
                                .where(articles_t.c.id == article_id)).first() is not None

    def counts(self) -> dict[str, int]:
        """How many articles, live events, place mentions and unresolved mentions are stored."""
        with self._read() as conn:
            def one(q: Any) -> int:
                return int(conn.execute(q).scalar_one())

            return {
                "articles": one(sa.select(sa.func.count()).select_from(articles_t)),
                "events": one(sa.select(sa.func.count()).select_from(events_t)
                              .where(events_t.c.deleted.is_(False))),
                "places": one(sa.select(sa.func.count()).select_from(places_t)),
                "unresolved": one(sa.select(sa.func.count()).select_from(places_t)
                                  .where(places_t.c.resolved.is_(False))),
            }

    def data_version(self) -> str:
        """Changes whenever stored events change (in this process or another); UI caches by it."""
        with self._read() as conn:
            row = conn.execute(sa.select(meta_t.c.value, meta_t.c.counter)
                               .where(meta_t.c.key == "events")).one()
        return f"{row.value}-{row.counter}"

    def articles_frame(self) -> pd.DataFrame:
        """One row per article: id, title, date, language, source, url, path, ingested_at,
        country_hint, events, places, unresolved (counts)."""
        # An article's events: its own, and those of other articles it was merged into. Counted
        # per article through indexes (correlated), so a million imported ACLED events that
        # belong to no article are never scanned.
        own = (sa.select(sa.func.count()).select_from(events_t)
               .where(events_t.c.article_id == articles_t.c.id, events_t.c.deleted.is_(False))
               .scalar_subquery())
        merged = (sa.select(sa.func.count(sa.distinct(event_sources_t.c.event_id))).select_from(
                      event_sources_t.join(events_t, events_t.c.event_id == event_sources_t.c.event_id))
                  .where(event_sources_t.c.article_id == articles_t.c.id,
                         events_t.c.article_id != articles_t.c.id, events_t.c.deleted.is_(False))
                  .scalar_subquery())
        pl = (sa.select(places_t.c.article_id, sa.func.count().label("n"),
                        sa.func.sum(sa.case((places_t.c.resolved.is_(False), 1), else_=0))
                        .label("u"))
              .group_by(places_t.c.article_id).subquery())
        q = (sa.select(articles_t.c.id, articles_t.c.title, articles_t.c.date,
                       articles_t.c.language, articles_t.c.source, articles_t.c.url,
                       articles_t.c.path, articles_t.c.ingested_at, articles_t.c.country_hint,
                       (own + merged).label("events"),
                       sa.func.coalesce(pl.c.n, 0).label("places"),
                       sa.func.coalesce(pl.c.u, 0).label("unresolved"))
             .select_from(articles_t.outerjoin(pl, pl.c.article_id == articles_t.c.id))
             .order_by(articles_t.c.ingested_at.desc(), articles_t.c.title))
        with self._read() as conn:
            rows = conn.execute(q).all()
        cols = ["id", "title", "date", "language", "source", "url", "path", "ingested_at",
                "country_hint", "events", "places", "unresolved"]
        frame = pd.DataFrame([tuple(r) for r in rows], columns=cols)
        frame["date"] = pd.to_datetime(frame["date"], errors="coerce")
        for c in ("events", "places", "unresolved"):
            frame[c] = frame[c].astype("int64")
        return frame

    def get_article(self, article_id: str) -> StoredArticle:
        """The stored article with its places (offsets into its body) and its live events: its
        own, and the stored events of other articles that it reports too (merged into them;
        their evidence offsets point into the other article's body)."""
        with self._read() as conn:
            a = conn.execute(sa.select(articles_t).where(articles_t.c.id == article_id)).first()
            if a is None:
                raise NotFoundError(f"no stored article has id {article_id}")
            prow = conn.execute(sa.select(places_t).where(places_t.c.article_id == article_id)
                                .order_by(places_t.c.start_offset)).all()
            linked = (sa.select(event_sources_t.c.event_id)
                      .where(event_sources_t.c.article_id == article_id))
            erow = conn.execute(sa.select(events_t).where(
                sa.or_(events_t.c.article_id == article_id, events_t.c.event_id.in_(linked)),
                events_t.c.deleted.is_(False))
                                .order_by(events_t.c.evidence_start, events_t.c.event_id)).all()
        article = Article(title=a.title, body=a.body, date=a.date, language=a.language,
                          source=a.source, url=a.url, path=a.path)
        return StoredArticle(article=article, places=[_place_from_row(r) for r in prow],
                             events=[_event_from_row(r._mapping) for r in erow])

    def event_articles(self, event_id: str) -> list[str]:
        """Ids of the articles that report a stored event: its own first, then any merged into
        it, in the order they arrived."""
        with self._read() as conn:
            own = conn.execute(sa.select(events_t.c.article_id)
                               .where(events_t.c.event_id == event_id)).first()
            if own is None:
                raise NotFoundError(f"no stored event has id {event_id}")
            linked = conn.execute(sa.select(event_sources_t.c.article_id)
                                  .where(event_sources_t.c.event_id == event_id)
                                  .order_by(event_sources_t.c.id)).scalars().all()
        return _dedupe([own.article_id, *linked])

    def get_event(self, event_id: str) -> Event:
        """One stored event (deleted ones included, for the audit view)."""
        with self._read() as conn:
            row = conn.execute(sa.select(events_t).where(events_t.c.event_id == event_id)).first()
        if row is None:
            raise NotFoundError(f"no stored event has id {event_id}")
        return _event_from_row(row._mapping)

    # -- the events frame --------------------------------------------------------------------
    def events_frame(self) -> pd.DataFrame:
        """All live events, one row each: Event field columns plus article_title.

        event_date is datetime64 (NaT when undated), actors a "; "-joined string; strings that
        repeat (types, countries, places, actors) are categoricals, the rest pyarrow-backed str,
        so a million events take about 0.5 GB. The frame is kept: the next call re-reads only
        the rows written since (a correction costs milliseconds, not a full reload).
        """
        with self._lock, self._read() as conn:
            meta = conn.execute(sa.select(meta_t.c.value, meta_t.c.counter)
                                .where(meta_t.c.key == "events")).one()
            instance, counter = str(meta.value), int(meta.counter)
            cached = self._frame_cache
            if cached is not None and cached[0] == instance and cached[1] == counter:
                # A shallow copy: callers adding columns never touch the kept frame, and with
                # pandas' copy-on-write neither do callers changing values.
                return cached[2].copy(deep=False)
            frame = None
            if cached is not None and cached[0] == instance and cached[1] < counter:
                changed = int(conn.execute(sa.select(sa.func.count()).select_from(events_t)
                                           .where(events_t.c.version > cached[1])).scalar_one())
                if changed <= max(10_000, len(cached[2]) // 5):
                    delta, deleted = self._load_events(conn, since=cached[1])
                    frame = _apply_delta(cached[2], delta, deleted)
            if frame is None:
                frame, _ = self._load_events(conn, since=None)
            self._frame_cache = (instance, counter, frame)
            return frame.copy(deep=False)

    def _load_events(self, conn: Connection, since: int | None) -> tuple[pd.DataFrame, np.ndarray]:
        """Live events (since=None), or every event written after version `since` with a
        deleted flag per row."""
        text = set(_TEXT_FIELDS) | {"actors"}
        select_cols = [
            (f"COALESCE(e.{self._quote(c)}, '')" if c in text else f"e.{self._quote(c)}")
            for c in EVENT_FIELDS] + ["COALESCE(a.title, '')", "e.deleted"]
        where = "NOT e.deleted" if since is None else f"e.version > {int(since)}"
        sql = (f"SELECT {', '.join(select_cols)} FROM events e LEFT JOIN articles a "  # noqa: S608
               f"ON a.id = e.article_id WHERE {where}")
        chunks: list[list[pa.Array]] = []
        deleted: list[np.ndarray] = []
        cursor = conn.connection.cursor()
        try:
            cursor.execute(sql)
            while True:
                rows = cursor.fetchmany(50_000)
                if not rows:
                    break
                arrays = _rows_to_arrays(rows)
                deleted.append(np.asarray(arrays.pop().to_numpy(zero_copy_only=False), dtype=bool))
                chunks.append(arrays)
        finally:
            cursor.close()
        columns = []
        for i in range(len(_FRAME_COLUMNS)):
            parts = [c[i] for c in chunks]
            columns.append(pa.concat_arrays(parts) if parts else _empty_array(_FRAME_COLUMNS[i]))
            for c in chunks:
                c[i] = None  # type: ignore[call-overload]  # free each column's chunks as we go
        flags = np.concatenate(deleted) if deleted else np.zeros(0, dtype=bool)
        return _arrays_to_frame(columns), flags

    # -- corrections ---------------------------------------------------------------------------
    def update_event(self, event_id: str, changes: Mapping[str, object], user: str) -> Event:
        """Correct fields of an event, validated; sets review_status "corrected" and audits each
        changed field (who, when, before, after). Returns the event as now stored.

        >>> store.update_event("cm-1", {"fatalities": 3, "lat": 36.3}, user="anna")  # doctest: +SKIP
        """
        if not user.strip():
            raise EventValidationError("a correction needs a user name (set CONFLICTMAP_USER)")
        with self._write() as conn:
            row = conn.execute(sa.select(events_t).where(events_t.c.event_id == event_id)).first()
            if row is None or row.deleted:
                raise NotFoundError(f"no stored event has id {event_id}")
            old = _event_from_row(row._mapping)
            new_values = _validated_changes(old, changes)
            diffs = {k: v for k, v in new_values.items() if getattr(old, k) != v}
            if diffs:
                db_values = {k: ("; ".join(v) if k == "actors" else v) for k, v in diffs.items()}
                if row.origin == "article" and {"lat", "lon", "location"} & diffs.keys():
                    db_values["geo_cell"] = geo_cell(new_values.get("lat", old.lat),
                                                     new_values.get("lon", old.lon),
                                                     new_values.get("location", old.location))
                version = self._bump_version(conn)
                conn.execute(events_t.update().where(events_t.c.event_id == event_id)
                             .values(**db_values, review_status=REVIEW_CORRECTED,
                                     updated_at=self._now(), version=version))
                at = self._now()
                conn.execute(audit_t.insert(), [
                    {"event_id": event_id, "user": user, "at": at, "action": "update",
                     "field": k, "before": json.dumps(_jsonable(getattr(old, k)), ensure_ascii=False),
                     "after": json.dumps(_jsonable(v), ensure_ascii=False)}
                    for k, v in diffs.items()])
            row = conn.execute(sa.select(events_t).where(events_t.c.event_id == event_id)).one()
        return _event_from_row(row._mapping)

    def mark_reviewed(self, event_id: str, user: str) -> Event:
        """A person checked the event and agrees: status "reviewed" (a corrected event stays
        "corrected"); audited."""
        with self._write() as conn:
            row = conn.execute(sa.select(events_t.c.review_status, events_t.c.deleted)
                               .where(events_t.c.event_id == event_id)).first()
            if row is None or row.deleted:
                raise NotFoundError(f"no stored event has id {event_id}")
            status = REVIEW_CORRECTED if row.review_status == REVIEW_CORRECTED else REVIEW_REVIEWED
            conn.execute(events_t.update().where(events_t.c.event_id == event_id)
                         .values(review_status=status, updated_at=self._now(),
                                 version=self._bump_version(conn)))
            conn.execute(audit_t.insert().values(
                event_id=event_id, user=user, at=self._now(), action="reviewed",
                field="review_status", before=json.dumps(row.review_status),
                after=json.dumps(status)))
            out = conn.execute(sa.select(events_t).where(events_t.c.event_id == event_id)).one()
        return _event_from_row(out._mapping)

    def delete_event(self, event_id: str, user: str) -> None:
        """Remove an event from the map and exports (kept as deleted, so a re-run of the
        pipeline or a re-import does not bring it back); audited."""
        with self._write() as conn:
            row = conn.execute(sa.select(events_t.c.deleted)
                               .where(events_t.c.event_id == event_id)).first()
            if row is None or row.deleted:
                raise NotFoundError(f"no stored event has id {event_id}")
            conn.execute(events_t.update().where(events_t.c.event_id == event_id)
                         .values(deleted=True, updated_at=self._now(),
                                 version=self._bump_version(conn)))
            conn.execute(audit_t.insert().values(
                event_id=event_id, user=user, at=self._now(), action="delete", field="deleted",
                before="false", after="true"))

    def audit_frame(self, event_id: str | None = None) -> pd.DataFrame:
        """The audit log (newest first): id, event_id, user, at, action, field, before, after
        (before/after as JSON text)."""
        q = sa.select(audit_t).order_by(audit_t.c.id.desc())
        if event_id is not None:
            q = q.where(audit_t.c.event_id == event_id)
        with self._read() as conn:
            rows = conn.execute(q).all()
        cols = ["id", "event_id", "user", "at", "action", "field", "before", "after"]
        return pd.DataFrame([tuple(r) for r in rows], columns=cols)

    # -- place review --------------------------------------------------------------------------
    def unresolved_places_frame(self) -> pd.DataFrame:
        """One row per unresolved mention: name, country_hint, article_id, article_title, start,
        end, candidates (tuple[Candidate, ...], best first), mentions (how many mentions of that
        name in that country context are unresolved, over all articles)."""
        q = (sa.select(places_t.c.text, places_t.c.name_key, places_t.c.country_hint,
                       places_t.c.article_id, articles_t.c.title, places_t.c.start_offset,
                       places_t.c.end_offset, places_t.c.candidates, places_t.c.alternatives)
             .select_from(places_t.join(articles_t, articles_t.c.id == places_t.c.article_id))
             .where(places_t.c.resolved.is_(False))
             .order_by(places_t.c.name_key, places_t.c.article_id, places_t.c.start_offset))
        with self._read() as conn:
            rows = conn.execute(q).all()
        out = pd.DataFrame({
            "name": [r.text for r in rows],
            "country_hint": [r.country_hint for r in rows],
            "article_id": [r.article_id for r in rows],
            "article_title": [r.title for r in rows],
            "start": pd.array([r.start_offset for r in rows], dtype="int64"),
            "end": pd.array([r.end_offset for r in rows], dtype="int64"),
            "candidates": pd.Series(
                [_merge_candidates(_candidates_load(r.alternatives), _candidates_load(r.candidates))
                 for r in rows], dtype=object),
        })
        keys = pd.Series([(r.name_key, r.country_hint) for r in rows], dtype=object)
        out["mentions"] = keys.map(keys.value_counts()).astype("int64") if len(rows) else \
            pd.Series([], dtype="int64")
        return out

    def save_place_correction(self, name: str, country_hint: str | None, candidate: Candidate,
                              user: str) -> int:
        """Resolve every mention of `name` in articles about `country_hint` to `candidate`, move
        their events there (audited, status "corrected"), and remember it for future articles.

        Returns how many stored mentions were updated.
        """
        key, hint = correction_key(name), (country_hint or "").upper()
        if not key:
            raise EventValidationError("a place correction needs a place name")
        if not (-90 <= candidate.lat <= 90 and -180 <= candidate.lon <= 180):
            raise EventValidationError(
                f"coordinates {candidate.lat}, {candidate.lon} are outside -90..90 / -180..180")
        cand = Candidate(**{**asdict(candidate), "source": candidate.source or "correction"})
        at = self._now()
        with self._write() as conn:
            stmt = self._insert(place_corrections_t).values(
                name_key=key, country_hint=hint, name=name,
                candidate=json.dumps(_candidate_json(cand), ensure_ascii=False), user=user, at=at)
            conn.execute(stmt.on_conflict_do_update(
                index_elements=["name_key", "country_hint"],
                set_={"name": stmt.excluded.name, "candidate": stmt.excluded.candidate,
                      "user": stmt.excluded.user, "at": stmt.excluded.at}))
            n = self._apply_correction(conn, key, hint, cand, user=user, at=at, article_id=None)
            self._bump_version(conn)
        return n

    def place_corrections(self) -> dict[tuple[str, str], Candidate]:
        """Every remembered correction: (correction_key(name), country_hint) → Candidate."""
        with self._read() as conn:
            rows = conn.execute(sa.select(place_corrections_t)).all()
        return {(r.name_key, r.country_hint): _candidate_from(json.loads(r.candidate)) for r in rows}

    def place_correction(self, name: str, country_hint: str | None) -> Candidate | None:
        """The correction for `name` in that country context, else one made without a context."""
        corrections = self.place_corrections()
        key = correction_key(name)
        return corrections.get((key, (country_hint or "").upper())) or corrections.get((key, ""))

    def _apply_known_corrections(self, conn: Connection, article_id: str) -> None:
        rows = conn.execute(
            sa.select(place_corrections_t)
            .join(places_t, sa.and_(places_t.c.name_key == place_corrections_t.c.name_key,
                                    places_t.c.country_hint == place_corrections_t.c.country_hint))
            .where(places_t.c.article_id == article_id, places_t.c.corrected.is_(False))
            .distinct()).all()
        for r in rows:
            self._apply_correction(conn, r.name_key, r.country_hint,
                                   _candidate_from(json.loads(r.candidate)), user=r.user,
                                   at=self._now(), article_id=article_id)

    def _apply_correction(self, conn: Connection, key: str, hint: str, cand: Candidate, *,
                          user: str, at: str, article_id: str | None) -> int:
        where = [places_t.c.name_key == key, places_t.c.country_hint == hint]
        if article_id is not None:
            where.append(places_t.c.article_id == article_id)
        targets = conn.execute(sa.select(places_t.c.id, places_t.c.article_id, places_t.c.name)
                               .where(*where)).all()
        if not targets:
            return 0
        precision = _precision_for(cand)
        conn.execute(places_t.update().where(places_t.c.id.in_([t.id for t in targets])).values(
            resolved=True, place_id=cand.place_id, name=cand.name, lat=cand.lat, lon=cand.lon,
            country_code=cand.country_code, feature=cand.feature, admin1=cand.admin1,
            population=cand.population, source=cand.source, precision=precision, confidence=1.0,
            corrected=True))
        # Events placed at this mention: their location is the mention's text (or the name the
        # machine resolved it to). Move them and audit the move.
        by_article: dict[str, set[str]] = {}
        for t in targets:
            by_article.setdefault(t.article_id, set()).add(key)
            if t.name:
                by_article[t.article_id].add(correction_key(t.name))
        new_values = {"lat": cand.lat, "lon": cand.lon, "iso": cand.country_code,
                      "country": country_name(cand.country_code) or cand.country_code,
                      "admin1": cand.admin1, "geo_precision": precision}
        for aid, names in by_article.items():
            erows = conn.execute(sa.select(events_t).where(events_t.c.article_id == aid,
                                                           events_t.c.deleted.is_(False))).all()
            for er in erows:
                if correction_key(er.location) not in names:
                    continue
                diffs = {k: v for k, v in new_values.items() if er._mapping[k] != v}
                if not diffs:
                    continue
                conn.execute(events_t.update().where(events_t.c.event_id == er.event_id).values(
                    **diffs, review_status=REVIEW_CORRECTED, updated_at=at,
                    geo_cell=geo_cell(cand.lat, cand.lon, er.location) if er.origin == "article"
                    else er.geo_cell,
                    version=self._bump_version(conn)))
                conn.execute(audit_t.insert(), [
                    {"event_id": er.event_id, "user": user, "at": at, "action": "place",
                     "field": k, "before": json.dumps(_jsonable(er._mapping[k]), ensure_ascii=False),
                     "after": json.dumps(_jsonable(v), ensure_ascii=False)}
                    for k, v in diffs.items()])
        return len(targets)

    # -- geocoder cache --------------------------------------------------------------------------
    def geocode_cache(self) -> SqlGeocodeCache:
        """A GeocodeCache (conflictmap.geocode.base) backed by the geocode_cache table."""
        return SqlGeocodeCache(self)

    def _cache_get(self, key: str) -> list[Candidate] | None:
        with self._read() as conn:
            row = conn.execute(sa.select(geocode_cache_t.c.candidates)
                               .where(geocode_cache_t.c.key == key)).first()
        return None if row is None else list(_candidates_load(row.candidates))

    def _cache_put(self, key: str, candidates: Sequence[Candidate]) -> None:
        stmt = self._insert(geocode_cache_t).values(key=key, candidates=_candidates_dump(candidates),
                                                    at=self._now())
        with self._write() as conn:
            conn.execute(stmt.on_conflict_do_update(
                index_elements=["key"],
                set_={"candidates": stmt.excluded.candidates, "at": stmt.excluded.at}))


class SqlGeocodeCache:
    """GeocodeCache Protocol over the store's geocode_cache table (shared by all processes)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, key: str) -> list[Candidate] | None:
        """Stored candidates for `key`, or None when it was never answered."""
        return self._store._cache_get(key)

    def put(self, key: str, candidates: list[Candidate]) -> None:
        """Store a good answer (callers never store failures)."""
        self._store._cache_put(key, candidates)


# ---------------------------------------------------------------------------------------------
# Row conversions
# ---------------------------------------------------------------------------------------------
def _one_line(err: BaseException) -> str:
    orig = getattr(err, "orig", None)
    text = str(orig if orig is not None else err)
    return " ".join(text.split()).split(" [SQL:")[0][:300]


def _configure_sqlite(engine: Engine) -> None:
    @sa_event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (pysqlite's implicit transactions break BEGIN IMMEDIATE).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 30000")
        cur.execute("PRAGMA foreign_keys = ON")
        # On read-only media WAL cannot be set up; it is an optimisation, not a requirement.
        with suppress(sqlite3.OperationalError):
            cur.execute("PRAGMA journal_mode = WAL")
        # WAL + NORMAL: a killed process never loses a committed transaction; only power loss can.
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @sa_event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("cm_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _place_row(aid: str, p: Place, hint: str) -> dict[str, Any]:
    c = p.candidate
    return {
        "article_id": aid, "text": p.mention.text, "name_key": correction_key(p.mention.text),
        "start_offset": p.mention.start, "end_offset": p.mention.end, "cue": p.mention.cue,
        "resolved": c is not None, "place_id": c.place_id if c else None,
        "name": c.name if c else None, "lat": c.lat if c else None, "lon": c.lon if c else None,
        "country_code": c.country_code if c else None, "feature": c.feature if c else None,
        "admin1": c.admin1 if c else None, "population": c.population if c else None,
        "source": c.source if c else None, "precision": p.precision,
        "confidence": float(p.confidence),
        "candidates": _candidates_dump(p.mention.candidates),
        "alternatives": _candidates_dump(p.alternatives), "country_hint": hint,
        "corrected": False,
    }


def _place_from_row(r: Any) -> Place:
    mention = Mention(text=r.text, start=r.start_offset, end=r.end_offset,
                      candidates=_candidates_load(r.candidates), cue=r.cue)
    cand = None
    if r.resolved:
        cand = Candidate(place_id=r.place_id or "", name=r.name or "", lat=float(r.lat),
                         lon=float(r.lon), country_code=r.country_code or "",
                         feature=r.feature or "", admin1=r.admin1 or "",
                         population=int(r.population or 0), source=r.source or "")
    return Place(mention=mention, candidate=cand, precision=r.precision,
                 confidence=float(r.confidence), alternatives=_candidates_load(r.alternatives))


def _merge_candidates(*groups: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
    seen: set[str] = set()
    out: list[Candidate] = []
    for group in groups:
        for c in group:
            if c.place_id not in seen:
                seen.add(c.place_id)
                out.append(c)
    return tuple(out)


def _event_from_row(m: Any) -> Event:
    values: dict[str, Any] = {}
    for name in EVENT_FIELDS:
        v = m[name]
        if name == "actors":
            v = [a for a in (v or "").split("; ") if a]
        elif name == "event_date" and isinstance(v, str):
            v = date.fromisoformat(v)
        elif name in _TEXT_FIELDS and v is None:
            v = ""
        values[name] = v
    return Event(**values)


def events_to_frame(events: Sequence[Event]) -> pd.DataFrame:
    """Events as a frame with one column per Event field (actors "; "-joined), for bulk writes."""
    data: dict[str, list[Any]] = {name: [] for name in EVENT_FIELDS}
    for e in events:
        for name in EVENT_FIELDS:
            v = getattr(e, name)
            data[name].append("; ".join(v) if name == "actors" else v)
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()})
    return frame


def _canonical_arrays(frame: pd.DataFrame) -> dict[str, pa.Array]:
    """Event columns as typed Arrow arrays (dates date32, nullable int64, float64, str)."""
    out: dict[str, pa.Array] = {}
    for name in EVENT_FIELDS:
        s = frame[name]
        if name == "event_date":
            ts = s if s.dtype == "datetime64[ns]" else pd.to_datetime(s, errors="coerce").astype(
                "datetime64[ns]")
            arr = pa.array(ts, type=pa.timestamp("ns"), from_pandas=True).cast(pa.date32())
        elif name in _INT_FIELDS or name in _NULLABLE_INT_FIELDS:
            if pd.api.types.is_integer_dtype(s.dtype):
                arr = pa.array(s, type=pa.int64(), from_pandas=True)
            else:
                num = pd.to_numeric(s, errors="coerce").astype("Float64").round().astype("Int64")
                arr = pa.array(num, type=pa.int64(), from_pandas=True)
            if name in _INT_FIELDS:
                arr = arr.fill_null(1)
        elif name in _FLOAT_FIELDS:
            num = pd.to_numeric(s, errors="coerce").astype("float64")
            arr = pa.array(num.to_numpy(), type=pa.float64(), from_pandas=True)
            if name == "confidence":
                arr = arr.fill_null(0.0)
        else:
            try:
                arr = pa.array(s.array) if isinstance(s.dtype, pd.StringDtype) else None
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
                arr = None
            if arr is None:
                arr = pa.array(s.astype(object).where(s.notna(), None).map(
                    lambda v: v if v is None or isinstance(v, str) else str(v)).tolist(),
                    type=pa.string())
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks()
            arr = arr.cast(pa.string()).fill_null("")
            if name == "review_status":
                arr = pc.if_else(pc.equal(arr, ""), REVIEW_MACHINE, arr)
        out[name] = arr
    return out


def _row_hashes(arrays: Mapping[str, pa.Array]) -> np.ndarray:
    """A stable 63-bit hash of each row's values, so an identical re-import writes nothing."""
    parts = [pc.cast(arrays[c], pa.string()) for c in EVENT_FIELDS if c != "review_status"]
    joined = pc.binary_join_element_wise(*parts, "\x1f", null_handling="replace",
                                         null_replacement="\x00")
    h = pd.util.hash_array(joined.to_numpy(zero_copy_only=False), categorize=False)
    return (h >> np.uint64(1)).astype(np.int64)


_CONSTANT = object()


def _db_values(arr: pa.Array) -> Iterable[Any] | tuple[object, Any]:
    """Python values of one column, or (_CONSTANT, value) when the whole batch holds one value."""
    # First and last value differ in almost every real column: skip hashing the whole column.
    if (len(arr) > 1 and arr.null_count == 0 and arr[0] == arr[len(arr) - 1]
            and pc.count_distinct(arr).as_py() == 1):
        return (_CONSTANT, arr[0].as_py())
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr.to_numpy(zero_copy_only=False).tolist()
    return arr.to_pylist()


def _sql_literal(value: Any, placeholder: str) -> str:
    """A constant as SQL text (numbers; short strings quoted the standard way), else a
    placeholder. Inlining a batch-wide constant saves binding it a million times."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and np.isfinite(value):
        return repr(value)
    if isinstance(value, str) and len(value) <= 200 and value.isprintable():
        text = "'" + value.replace("'", "''") + "'"
        # psycopg reads % as the start of a placeholder: a literal percent is written %%.
        return text.replace("%", "%%") if placeholder == "%s" else text
    return placeholder


def _rows_for_db(arrays: Mapping[str, pa.Array], hashes: np.ndarray, *, origin: str, now: str,
                 dates_as_text: bool, placeholder: str
                 ) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """The VALUES list (placeholders, or literals for batch-wide constants) and the rows."""
    values: list[str] = []
    columns: list[Iterable[Any]] = []
    for name in EVENT_FIELDS:
        arr = arrays[name]
        if name == "event_date" and dates_as_text:
            arr = pc.cast(arr, pa.string())  # SQLAlchemy's SQLite Date is 'YYYY-MM-DD' text
        got = _db_values(arr)
        if isinstance(got, tuple) and len(got) == 2 and got[0] is _CONSTANT:
            literal = _sql_literal(got[1], placeholder)
            values.append(literal)
            if literal == placeholder:
                columns.append(repeat(got[1], len(hashes)))
        else:
            values.append(placeholder)
            columns.append(got)
    values += [_sql_literal(origin, placeholder), "FALSE", placeholder,
               _sql_literal(now, placeholder)]
    if values[-4] == placeholder:
        columns.append(repeat(origin, len(hashes)))
    columns.append(hashes.tolist())
    if values[-1] == placeholder:
        columns.append(repeat(now, len(hashes)))
    return values, zip(*columns, strict=True)


def _rows_to_arrays(rows: Sequence[Sequence[Any]]) -> list[pa.Array]:
    """Columns of fetched rows: _FRAME_COLUMNS, then the deleted flag."""
    # One 2-D object array (filled in C), then one Arrow conversion per column: cheaper than
    # transposing a million tuples in Python.
    matrix = np.empty((len(rows), len(_FRAME_COLUMNS) + 1), dtype=object)
    matrix[:] = rows
    out: list[pa.Array] = []
    for i, name in enumerate((*_FRAME_COLUMNS, "deleted")):
        col = matrix[:, i]
        if name == "deleted":
            out.append(pa.array(col.astype(bool), type=pa.bool_()))
        elif name == "event_date":
            arr = pa.array(col, from_pandas=True)
            if not pa.types.is_date32(arr.type):
                arr = arr.cast(pa.string()).cast(pa.date32())
            out.append(arr)
        elif name in _INT_FIELDS or name in _NULLABLE_INT_FIELDS:
            out.append(pa.array(col, type=pa.int64(), from_pandas=True))
        elif name in _FLOAT_FIELDS:
            out.append(pa.array(col, type=pa.float64(), from_pandas=True))
        else:
            out.append(pa.array(col, type=pa.string(), from_pandas=True))
    return out


def _arrays_to_frame(columns: list[pa.Array]) -> pd.DataFrame:
    """Typed pandas columns from Arrow columns in _FRAME_COLUMNS order (consumes the list)."""
    data: dict[str, Any] = {}
    for i, name in enumerate(_FRAME_COLUMNS):
        arr = columns[i]
        columns[i] = None  # type: ignore[call-overload]  # let Arrow free it once converted
        if name == "event_date":
            if not pa.types.is_date32(arr.type):
                arr = arr.cast(pa.string()).cast(pa.date32())
            data[name] = pd.Series(arr.cast(pa.timestamp("ns")).to_pandas(), dtype="datetime64[ns]")
        elif name in _INT_FIELDS:
            data[name] = pd.Series(np.array(arr.cast(pa.int64()).fill_null(0)), dtype="int64")
        elif name in _NULLABLE_INT_FIELDS:
            data[name] = pd.Series(arr.cast(pa.int64()).to_pandas(
                types_mapper={pa.int64(): pd.Int64Dtype()}.get), dtype="Int64")
        elif name in _FLOAT_FIELDS:
            values = arr.cast(pa.float64()).to_numpy(zero_copy_only=False)
            values = np.array(values)  # writable, like any frame a caller may get
            data[name] = pd.Series(values, dtype="float64")
        else:
            arr = arr.cast(pa.string()).fill_null("")
            encoded = arr.dictionary_encode() if name not in _UNIQUE_TEXT else None
            # Categories only pay when values repeat: an actors column of a million distinct
            # combinations stays plain text.
            if encoded is not None and len(encoded.dictionary) <= max(1000, len(arr) // 4):
                data[name] = pd.Series(encoded.to_pandas(), dtype="category")
            else:
                data[name] = pd.Series(arr.to_pandas(), dtype="str")
    return pd.DataFrame(data)


def _apply_delta(old: pd.DataFrame, delta: pd.DataFrame, deleted: np.ndarray) -> pd.DataFrame:
    """`old` with the rows written since it was read replaced (or dropped when deleted)."""
    keep = ~old["event_id"].isin(delta["event_id"]).to_numpy()
    add = delta.loc[~deleted]
    data: dict[str, Any] = {}
    for name in old.columns:
        a, b = old[name][keep], add[name]
        if isinstance(a.dtype, pd.CategoricalDtype):
            # The parts' categories differ: extend the old ones (keeping their dtype), or
            # concat would fall back to object.
            cats = a.cat.categories
            values = [str(v) for v in b.astype(object).where(b.notna(), "")]
            known = set(cats)
            extra = [v for v in dict.fromkeys(values) if v not in known]
            if extra:
                cats = cats.append(pd.Index(extra, dtype=cats.dtype))
            codes = np.concatenate([a.cat.codes.to_numpy(dtype=np.int64),
                                    cats.get_indexer(pd.Index(values, dtype=cats.dtype))])
            data[name] = pd.Series(pd.Categorical.from_codes(codes, categories=cats))
        else:
            data[name] = pd.concat([a, b.astype(a.dtype)], ignore_index=True)
    return pd.DataFrame(data)


def _empty_array(name: str) -> pa.Array:
    if name == "event_date":
        return pa.array([], type=pa.date32())
    if name in _INT_FIELDS or name in _NULLABLE_INT_FIELDS:
        return pa.array([], type=pa.int64())
    if name in _FLOAT_FIELDS:
        return pa.array([], type=pa.float64())
    return pa.array([], type=pa.string())


# ---------------------------------------------------------------------------------------------
# Validation of corrections
# ---------------------------------------------------------------------------------------------
_EDITABLE = frozenset(EVENT_FIELDS) - {"event_id", "article_id", "review_status",
                                       "evidence_start", "evidence_end"}


def _validated_changes(old: Event, changes: Mapping[str, object]) -> dict[str, Any]:
    unknown = sorted(set(changes) - _EDITABLE)
    if unknown:
        raise EventValidationError(f"cannot change {', '.join(unknown)}; editable fields: "
                                   f"{', '.join(sorted(_EDITABLE))}")
    out: dict[str, Any] = {}
    for k, v in changes.items():
        out[k] = _validate_field(k, v)
    ev_type = out.get("event_type", old.event_type)
    sub = out.get("sub_event_type", old.sub_event_type)
    if "event_type" in out or "sub_event_type" in out:
        if ev_type not in ACLED_SUB_EVENT_TYPES:
            raise EventValidationError(f"unknown event type {ev_type!r}; one of "
                                       f"{', '.join(ACLED_SUB_EVENT_TYPES)}")
        if not is_known_type_pair(ev_type, sub):
            raise EventValidationError(
                f"{sub!r} is not a sub-event type of {ev_type!r}; one of "
                f"{', '.join(ACLED_SUB_EVENT_TYPES[ev_type])}")
        if "sub_event_type" in out:
            out["sub_event_type"] = canonical_sub_event_type(sub)
    if "actors" not in out and any(k in out for k in ("actor1", "actor2", "assoc_actor_1",
                                                       "assoc_actor_2")):
        out["actors"] = _rebuild_actors(old, out)
    elif "actors" in out:
        a1 = out.get("actor1", old.actor1)
        out["actors"] = _dedupe([a1, *out["actors"]])
    return out


def _dedupe(names: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for n in names:
        if n and n not in seen:
            seen.add(n)
            out.append(n)
    return out


def _rebuild_actors(old: Event, new: Mapping[str, Any]) -> list[str]:
    replaced = {getattr(old, k): new[k] for k in ("actor1", "actor2", "assoc_actor_1",
                                                  "assoc_actor_2") if k in new}
    rest = [replaced.get(a, a) for a in old.actors]
    return _dedupe([new.get("actor1", old.actor1), *rest,
                    *(v for k, v in new.items() if k.startswith(("actor", "assoc")))])


def _validate_field(name: str, value: object) -> Any:
    def fail(why: str) -> EventValidationError:
        return EventValidationError(f"{name}: {why}")

    if name == "event_date":
        try:
            return _as_date(value)
        except ValueError:
            raise fail(f"{value!r} is not a date (YYYY-MM-DD)") from None
    if name in ("time_precision", "geo_precision"):
        n = _as_int(value)
        if n not in (1, 2, 3):
            raise fail(f"{value!r} must be 1, 2 or 3")
        return n
    if name in ("lat", "lon"):
        if value is None or value == "":
            return None
        try:
            f = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise fail(f"{value!r} is not a number") from None
        limit = 90 if name == "lat" else 180
        if not (-limit <= f <= limit) or f != f:
            raise fail(f"{value!r} is outside -{limit}..{limit}")
        return f
    if name == "fatalities":
        if value is None or value == "":
            return None
        n = _as_int(value)
        if n is None or n < 0:
            raise fail(f"{value!r} must be a whole number of 0 or more")
        return n
    if name in ("inter1", "inter2", "interaction"):
        if value is None or value == "":
            return None
        n = _as_int(value)
        if n is None or n < 0:
            raise fail(f"{value!r} must be a non-negative code")
        return n
    if name == "confidence":
        try:
            f = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise fail(f"{value!r} is not a number") from None
        if not 0 <= f <= 1:
            raise fail(f"{value!r} is outside 0..1")
        return f
    if name == "actors":
        if isinstance(value, str):
            items = [a.strip() for a in value.split(";")]
        elif isinstance(value, (list, tuple)):
            items = [str(a).strip() for a in value]
        else:
            raise fail("must be a list of names")
        return _dedupe(items)
    if name == "disorder_type":
        if value not in DISORDER_TYPES:
            raise fail(f"{value!r} is not one of {', '.join(DISORDER_TYPES)}")
        return value
    if name == "source_url":
        text = str(value or "").strip()
        if text and not text.lower().startswith(("http://", "https://")):
            raise fail("only http(s) links are kept")
        return text
    if value is None:
        return ""
    if not isinstance(value, str):
        raise fail(f"{value!r} must be text")
    text = value.strip()
    if name in ("event_type", "sub_event_type", "actor1", "location") and not text:
        raise fail("cannot be empty")
    return text


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# The per-article save path and cross-article merging
# ---------------------------------------------------------------------------------------------
_ARTICLE_COLUMNS = ("id", "title", "body", "date", "language", "source", "url", "path",
                    "content_hash", "country_hint", "ingested_at")
_PLACE_COLUMNS = ("article_id", "text", "name_key", "start_offset", "end_offset", "cue", "resolved",
                  "place_id", "name", "lat", "lon", "country_code", "feature", "admin1",
                  "population", "source", "precision", "confidence", "candidates", "alternatives",
                  "country_hint", "corrected")
_P_START, _P_END = _PLACE_COLUMNS.index("start_offset"), _PLACE_COLUMNS.index("end_offset")
_P_PLACE_ID, _P_PRECISION = _PLACE_COLUMNS.index("place_id"), _PLACE_COLUMNS.index("precision")
_P_ALTERNATIVES = _PLACE_COLUMNS.index("alternatives")
_P_KEYS = frozenset({0, _P_START, _P_END})  # article_id, start, end: the UPDATE's WHERE
# Article events: the Event fields, then bookkeeping; `version` is appended at write time.
_ARTICLE_EVENT_COLUMNS = (*EVENT_FIELDS, "origin", "deleted", "row_hash", "updated_at", "geo_cell",
                          "version")
# What merging several reports of one incident may change in the kept event.
_MERGED_FIELDS = ("source", "fatalities", "location", "lat", "lon", "geo_precision", "admin1",
                  "country", "iso", "event_date", "time_precision", "actors", "confidence")

# The tolerances of conflictmap.events.same_incident: days apart by the coarser time precision
# (1 day, 2 week, 3 month), and at most 100 km apart (region precision). Candidates are read
# within these (tests/test_store.py checks they cover same_incident's); same_incident decides.
MERGE_DAY_TOLERANCE = {1: 1, 2: 7, 3: 31}
MERGE_MAX_DAYS = max(MERGE_DAY_TOLERANCE.values())
MERGE_MAX_KM = 100.0
_KM_PER_DEGREE = 111.32


def geo_cell(lat: float | None, lon: float | None, location: str) -> int:
    """The 1-degree grid cell of a point (0 or more), or a negative key of the place name for an
    event without coordinates (same_incident then compares names)."""
    if lat is not None and lon is not None and math.isfinite(lat) and math.isfinite(lon):
        return math.floor(lat + 90.0) * 400 + math.floor(lon + 180.0) % 360
    return -1 - (zlib.crc32(correction_key(location).encode("utf-8")) & 0x7FFFFFFF)


def _degrees_around(lat: float) -> tuple[float, float]:
    """Degrees of latitude and longitude that cover MERGE_MAX_KM around a point at `lat`."""
    dlat = MERGE_MAX_KM / _KM_PER_DEGREE
    # A degree of longitude shrinks towards the poles: widen the span by the highest latitude.
    cos = math.cos(math.radians(min(89.0, abs(lat) + dlat)))
    return dlat, MERGE_MAX_KM / (_KM_PER_DEGREE * cos)


def _neighbour_cells(lat: float | None, lon: float | None, location: str) -> list[int]:
    """Every cell holding points within MERGE_MAX_KM of (lat, lon)."""
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return [geo_cell(None, None, location)]
    dlat, dlon = _degrees_around(lat)
    rows = range(math.floor(max(-90.0, lat - dlat) + 90.0), math.floor(min(90.0, lat + dlat) + 90.0) + 1)
    if dlon >= 180:
        cols: Iterable[int] = range(360)
    else:
        cols = {math.floor(x + 180.0) % 360
                for x in (lon - dlon, lon, lon + dlon, *(lon + k for k in range(-int(dlon), int(dlon) + 1)))}
    return sorted(r * 400 + c for r in rows for c in cols)


def _km(a: Event, b: Event) -> float:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return 0.0
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _date_param(d: date | None, as_text: bool) -> date | str | None:
    # SQLAlchemy's SQLite Date is 'YYYY-MM-DD' text; PostgreSQL takes the date.
    if d is None:
        return None
    if isinstance(d, datetime):
        d = d.date()
    return d.isoformat() if as_text else d


def _as_date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _event_json(e: Event) -> str:
    """One article's version of an event, for event_sources (stable text: compared on re-save)."""
    data = {name: getattr(e, name) for name in EVENT_FIELDS}
    data["event_date"] = e.event_date.isoformat() if e.event_date else None
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


def _event_from_json(text: str) -> Event:
    data = json.loads(text)
    values = {name: data.get(name) for name in EVENT_FIELDS if name in data}
    values["event_date"] = _as_date(values.get("event_date"))
    values["actors"] = list(values.get("actors") or [])
    return Event(**values)


def _split_sources(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def conservative_fatalities(reports: Sequence[tuple[date | None, int | None]]) -> int | None:
    """One fatality figure from several reports of one incident: (publication date, figure).

    ACLED codes the most conservative reported figure, and updates it when later reporting
    revises the toll. So: reports without a figure are ignored; when every report is dated, the
    lowest figure among those of the latest publication day wins (a toll that rises or falls in
    later coverage is an update); when any report is undated (order unknown), the lowest of all.

    >>> conservative_fatalities([(date(2022, 2, 3), 13), (date(2022, 2, 3), 9)])
    9
    >>> conservative_fatalities([(date(2022, 2, 3), 13), (date(2022, 2, 4), 15)])
    15
    """
    known = [(d, f) for d, f in reports if f is not None]
    if not known:
        return None
    if all(d is not None for d, _ in known):
        latest = max(d for d, _ in known if d is not None)
        return min(f for d, f in known if d == latest)
    return min(f for _, f in known)


def merge_reports(base: Event, base_date: date | None,
                  others: Sequence[tuple[Event, date | None]]) -> Event:
    """The kept event of an incident several articles report: `base` (the stored event, as its
    own article codes it, published on base_date) merged with the other articles' versions.

    - source: every publication once, base first (ACLED's "; "-separated list);
    - fatalities: `conservative_fatalities` over all reports;
    - place: the most precise one (lower geo_precision), base on a tie; date likewise by
      time_precision;
    - actors: all actors named by any report; confidence: the highest.
    Everything else (id, types, actor1/2, notes, evidence) stays the base's.
    """
    out = dataclasses.replace(base, actors=list(base.actors))
    reports = [(base, base_date), *others]
    seen: set[str] = set()
    sources: list[str] = []
    for e, _ in reports:
        for name in _split_sources(e.source):
            if name.casefold() not in seen:
                seen.add(name.casefold())
                sources.append(name)
    out.source = "; ".join(sources)
    out.fatalities = conservative_fatalities([(d, e.fatalities) for e, d in reports])
    place = base
    for e, _ in others:
        if e.lat is not None and e.lon is not None and (
                place.lat is None or place.lon is None or e.geo_precision < place.geo_precision):
            place = e
    for name in ("location", "lat", "lon", "geo_precision", "admin1", "country", "iso"):
        setattr(out, name, getattr(place, name))
    when = base
    for e, _ in others:
        if e.event_date is not None and (when.event_date is None
                                         or e.time_precision < when.time_precision):
            when = e
    out.event_date, out.time_precision = when.event_date, when.time_precision
    out.actors = _dedupe([*base.actors, *(a for e, _ in others for a in e.actors)])
    out.confidence = max(e.confidence for e, _ in reports)
    return out


@dataclass(frozen=True)
class _PreparedEvent:
    event: Event
    values: tuple[Any, ...]  # _ARTICLE_EVENT_COLUMNS without version
    row_hash: int


def _prepare_article_events(events: Iterable[Event], aid: str, article_source: str, now: str,
                            text_dates: bool) -> list[_PreparedEvent]:
    """DB rows of an article's events (first of each id), with a hash of their values."""
    out: list[_PreparedEvent] = []
    seen: set[str] = set()
    for e in events:
        if e.event_id in seen:
            continue
        seen.add(e.event_id)
        if not e.article_id or not e.source:
            e = dataclasses.replace(e, article_id=e.article_id or aid,
                                    source=e.source or article_source)
        values: list[Any] = []
        for name, kind in _EVENT_KINDS:
            v = getattr(e, name)
            if kind == "date":
                v = _as_date(v)
            elif kind == "int":
                v = 1 if v is None else int(v)
            elif kind == "int?":
                v = None if v is None else int(v)
            elif kind == "float?":
                v = None if v is None or v != v else float(v)
            elif kind == "float":
                v = 0.0 if v is None or v != v else float(v)
            elif kind == "actors":
                v = "; ".join(v)
            elif name == "review_status":
                v = v or REVIEW_MACHINE
            elif name == "source_url":
                # Only web links are stored, whatever a coder or importer handed us: a
                # javascript: or file: link must never reach a popup, table or export.
                v = str(v or "").strip()
                v = v if v.lower().startswith(("http://", "https://")) else ""
            else:
                v = "" if v is None else str(v)
            values.append(v)
        # The hash skips review_status, as the bulk import's does; dates hash as text.
        digest = hashlib.blake2b(repr([v for (n, _), v in zip(_EVENT_KINDS, values, strict=True)
                                       if n != "review_status"]).encode("utf-8"),
                                 digest_size=8).digest()
        row_hash = int.from_bytes(digest, "big") >> 1
        if text_dates and values[_EVENT_DATE_INDEX] is not None:
            values[_EVENT_DATE_INDEX] = values[_EVENT_DATE_INDEX].isoformat()
        cell = geo_cell(e.lat, e.lon, e.location)
        out.append(_PreparedEvent(e, (*values, "article", False, row_hash, now, cell), row_hash))
    return out


def _unique_place_rows(aid: str, places: Sequence[Place], hint: str) -> list[tuple[Any, ...]]:
    """DB rows of an article's places in _PLACE_COLUMNS order, one per span (first wins)."""
    rows: list[tuple[Any, ...]] = []
    spans: set[tuple[int, int]] = set()
    for p in places:
        span = (p.mention.start, p.mention.end)
        if span not in spans:
            spans.add(span)
            rows.append(_place_values(aid, p, hint))
    return rows


def _place_values(aid: str, p: Place, hint: str) -> tuple[Any, ...]:
    c = p.candidate
    m = p.mention
    if c is None:
        return (aid, m.text, correction_key(m.text), m.start, m.end, m.cue, False, None, None,
                None, None, None, None, None, None, None, p.precision, float(p.confidence),
                _candidates_dump(m.candidates), _candidates_dump(p.alternatives), hint, False)
    return (aid, m.text, correction_key(m.text), m.start, m.end, m.cue, True, c.place_id, c.name,
            c.lat, c.lon, c.country_code, c.feature, c.admin1, c.population, c.source,
            p.precision, float(p.confidence), _candidates_dump(m.candidates),
            _candidates_dump(p.alternatives), hint, False)
