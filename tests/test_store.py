"""Store: idempotent saves, corrections that stick, audit, place review, cache, errors, concurrency.

Runs against SQLite always and against PostgreSQL when CONFLICTMAP_TEST_PG_URL is set
(.ci/postgres.sh prints such a URL).
"""

from __future__ import annotations

import dataclasses
import os
import threading
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from conflictmap import store as store_mod
from conflictmap.errors import StoreError
from conflictmap.models import Article, Candidate, Event, Extraction, Mention, Place
from conflictmap.store import EventValidationError, NotFoundError, Store

PG_URL = os.environ.get("CONFLICTMAP_TEST_PG_URL", "")


class Clock:
    """An injected clock: every call is one minute after the previous one."""

    def __init__(self) -> None:
        self.now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def fresh_pg(url: str) -> None:
    engine = sa.create_engine(url)
    store_mod.metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    if not PG_URL:
        pytest.skip("CONFLICTMAP_TEST_PG_URL not set (run .ci/postgres.sh)")
    fresh_pg(PG_URL)
    return PG_URL


@pytest.fixture
def store(db_url: str):
    s = Store(db_url, clock=Clock())
    yield s
    s.close()


ATME = Candidate("gn:1", "Atme", 36.32, 36.66, "SY", "village", "Idlib", 0, "supplement")
AFRIN = Candidate("gn:2", "Afrin", 36.51, 36.87, "SY", "city", "Aleppo", 36562)
BODY = "US forces raided a house in Atme. A helicopter came down near Qah. In Qah, people fled."


def make_extraction(title: str = "Raid in Atme", body: str = BODY, *, fatalities: int | None = 13,
                    qah: Candidate | None = None, when: date = date(2022, 2, 3)) -> Extraction:
    article = Article(title=title, body=body, date=when, language="en",
                      source="Sveriges Radio", url="https://sverigesradio.se/x")
    atme = Place(Mention("Atme", body.index("Atme"), body.index("Atme") + 4, (ATME,)), ATME,
                 confidence=0.9)
    q1 = body.index("Qah")
    q2 = body.index("Qah", q1 + 1)
    qah1 = Place(Mention("Qah", q1, q1 + 3), qah, alternatives=(AFRIN,))
    qah2 = Place(Mention("Qah", q2, q2 + 3), qah, alternatives=(AFRIN,))
    raid = Event(when, 1, "Battles", "Armed clash", "Military Forces of the United States",
                 "Atme", ATME.lat, ATME.lon, 1, "US forces raided a house in Atme.",
                 country="Syria", iso="SY", admin1="Idlib", fatalities=fatalities,
                 article_id=article.id, evidence_start=0, evidence_end=33, confidence=0.8,
                 actors=["Military Forces of the United States", "Islamic State"],
                 actor2="Islamic State", source="Sveriges Radio")
    crash = Event(when, 1, "Strategic developments", "Other",
                  "Military Forces of the United States", "Qah", None, None, 2,
                  "A helicopter came down near Qah.", article_id=article.id, evidence_start=34,
                  evidence_end=66, confidence=0.4, actors=["Military Forces of the United States"])
    return Extraction(article, (atme, qah1, qah2), (raid, crash))


# --------------------------------------------------------------------------------- saving
def test_saving_the_same_article_twice_adds_nothing(store: Store) -> None:
    first = store.save_extraction(make_extraction())
    version = store.data_version()
    again = store.save_extraction(make_extraction())
    assert first.article_added and first.events_added == 2 and first.places_added == 3
    assert (again.article_added, again.places_added, again.events_added, again.events_updated) == (
        False, 0, 0, 0)
    assert store.counts() == {"articles": 1, "events": 2, "places": 3, "unresolved": 2}
    assert store.data_version() == version, "a no-op save must not invalidate the UI's cache"


def test_rerun_updates_machine_events_but_never_a_persons_correction(store: Store) -> None:
    ext = make_extraction()
    store.save_extraction(ext)
    raid_id = ext.events[0].event_id
    crash_id = ext.events[1].event_id
    store.update_event(raid_id, {"fatalities": 2}, user="anna")
    rerun = make_extraction(fatalities=40)  # a later pipeline says 40 dead
    rerun.events[1].notes = "better notes"
    result = store.save_extraction(rerun)
    assert result.events_kept == 1 and result.events_updated == 1
    assert store.get_event(raid_id).fatalities == 2
    assert store.get_event(raid_id).review_status == "corrected"
    assert store.get_event(crash_id).notes == "better notes"


def test_deleted_event_stays_deleted_after_a_rerun(store: Store) -> None:
    ext = make_extraction()
    store.save_extraction(ext)
    store.delete_event(ext.events[1].event_id, user="anna")
    store.save_extraction(make_extraction())
    frame = store.events_frame()
    assert list(frame["event_id"]) == [ext.events[0].event_id]
    assert store.counts()["events"] == 1
    assert store.audit_frame(ext.events[1].event_id)["action"].tolist() == ["delete"]


def test_get_article_returns_places_with_offsets_and_alternatives(store: Store) -> None:
    ext = make_extraction()
    store.save_extraction(ext)
    stored = store.get_article(ext.article.id)
    assert stored.article == ext.article
    for place in stored.places:
        assert stored.article.body[place.mention.start:place.mention.end] == place.mention.text
    assert stored.places[0].candidate == ATME
    assert stored.places[1].candidate is None and stored.places[1].alternatives == (AFRIN,)
    assert {e.event_id for e in stored.events} == {e.event_id for e in ext.events}
    assert store.has_article(ext.article.id) and not store.has_article("nope")
    with pytest.raises(NotFoundError, match="no stored article"):
        store.get_article("nope")


# --------------------------------------------------------------------------------- frames
def test_events_frame_has_the_event_columns_and_types(store: Store) -> None:
    ext = make_extraction()
    store.save_extraction(ext)
    undated = Extraction(Article("Undated", "Clash in Atme."),
                         (), (Event(None, 1, "Battles", "Armed clash", "A", "Atme", 1.0, 2.0, 1,
                                    "Clash in Atme."),))
    store.save_extraction(undated)
    frame = store.events_frame()
    assert list(frame.columns) == [*store_mod.EVENT_FIELDS, "article_title"]
    assert len(frame) == 3
    assert pd.api.types.is_datetime64_any_dtype(frame["event_date"])
    by_id = frame.set_index("event_id")
    raid = by_id.loc[ext.events[0].event_id]
    assert raid["event_date"] == pd.Timestamp("2022-02-03")
    assert raid["actors"] == "Military Forces of the United States; Islamic State"
    assert raid["article_title"] == "Raid in Atme"
    assert raid["fatalities"] == 13
    crash = by_id.loc[ext.events[1].event_id]
    assert pd.isna(crash["lat"]) and pd.isna(crash["fatalities"])
    assert frame["event_date"].isna().sum() == 1


def test_empty_store_gives_empty_frames_with_columns(store: Store) -> None:
    assert store.events_frame().empty
    assert list(store.events_frame().columns) == [*store_mod.EVENT_FIELDS, "article_title"]
    assert store.articles_frame().empty and store.unresolved_places_frame().empty
    assert store.counts() == {"articles": 0, "events": 0, "places": 0, "unresolved": 0}


def test_articles_frame_counts_events_and_unresolved_places(store: Store) -> None:
    store.save_extraction(make_extraction())
    row = store.articles_frame().iloc[0]
    assert (row["title"], row["events"], row["places"], row["unresolved"]) == ("Raid in Atme", 2, 3, 2)
    assert row["country_hint"] == "SY"


# --------------------------------------------------------------------------------- corrections
def test_update_event_records_who_when_before_after(store: Store) -> None:
    ext = make_extraction()
    store.save_extraction(ext)
    eid = ext.events[0].event_id
    before = store.data_version()
    event = store.update_event(eid, {"fatalities": 3, "event_date": "2022-02-02",
                                     "actor1": "US Special Forces"}, user="anna")
    assert event.fatalities == 3 and event.event_date == date(2022, 2, 2)
    assert event.review_status == "corrected"
    assert event.actors[0] == "US Special Forces" and "Islamic State" in event.actors
    assert store.data_version() != before
    audit = store.audit_frame(eid)
    assert set(audit["field"]) == {"fatalities", "event_date", "actor1", "actors"}
    row = audit.set_index("field").loc["fatalities"]
    assert (row["user"], row["before"], row["after"]) == ("anna", "13", "3")
    assert row["at"].startswith("2024-05-01T12:")


@pytest.mark.parametrize("changes, message", [
    ({"lat": 200}, "outside -90..90"),
    ({"lon": -181}, "outside -180..180"),
    ({"fatalities": -1}, "0 or more"),
    ({"fatalities": "many"}, "0 or more"),
    ({"event_date": "2022-13-45"}, "not a date"),
    ({"event_type": "Alien invasion"}, "unknown event type"),
    ({"sub_event_type": "Peaceful protest"}, "not a sub-event type of 'Battles'"),
    ({"event_type": "Protests"}, "not a sub-event type of 'Protests'"),
    ({"time_precision": 7}, "1, 2 or 3"),
    ({"actor1": ""}, "cannot be empty"),
    ({"event_id": "x"}, "cannot change event_id"),
    ({"source_url": "javascript:alert(1)"}, "http"),
])
def test_update_event_refuses_impossible_values(store: Store, changes, message) -> None:
    ext = make_extraction()
    store.save_extraction(ext)
    eid = ext.events[0].event_id
    with pytest.raises(EventValidationError, match=message):
        store.update_event(eid, changes, user="anna")
    assert store.get_event(eid).review_status == "machine"
    assert store.audit_frame(eid).empty


def test_type_and_sub_type_change_together_and_protestors_spelling(store: Store) -> None:
    ext = make_extraction()
    store.save_extraction(ext)
    eid = ext.events[0].event_id
    event = store.update_event(eid, {"event_type": "Protests",
                                     "sub_event_type": "Excessive force against protestors"}, "anna")
    assert event.sub_event_type == "Excessive force against protesters"


def test_mark_reviewed_and_unknown_ids(store: Store) -> None:
    ext = make_extraction()
    store.save_extraction(ext)
    eid = ext.events[1].event_id
    assert store.mark_reviewed(eid, "bo").review_status == "reviewed"
    assert store.audit_frame(eid)[["user", "action"]].values.tolist() == [["bo", "reviewed"]]
    with pytest.raises(NotFoundError):
        store.update_event("cm-missing", {"fatalities": 1}, "bo")
    with pytest.raises(NotFoundError):
        store.delete_event("cm-missing", "bo")


# --------------------------------------------------------------------------------- places
def test_place_correction_applies_to_every_mention_and_moves_the_events(store: Store) -> None:
    ext = make_extraction()
    store.save_extraction(ext)
    queue = store.unresolved_places_frame()
    assert queue["name"].tolist() == ["Qah", "Qah"]
    assert queue["country_hint"].tolist() == ["SY", "SY"]
    assert queue["candidates"].iloc[0] == (AFRIN,)
    qah = Candidate("gn:3", "Qah", 36.25, 36.72, "SY", "village", "Idlib")
    updated = store.save_place_correction("qah", "SY", qah, user="anna")
    assert updated == 2
    assert store.unresolved_places_frame().empty
    crash = store.get_event(ext.events[1].event_id)
    assert (crash.lat, crash.lon, crash.iso, crash.country, crash.review_status) == (
        36.25, 36.72, "SY", "Syria", "corrected")
    assert set(store.audit_frame(crash.event_id)["action"]) == {"place"}
    assert store.place_corrections() == {("qah", "SY"): qah}
    assert store.place_correction("QAH", "sy") == qah
    assert store.place_correction("Qah", "IQ") is None


def test_place_correction_is_remembered_for_future_articles(store: Store) -> None:
    qah = Candidate("gn:3", "Qah", 36.25, 36.72, "SY", "village", "Idlib")
    store.save_extraction(make_extraction())
    store.save_place_correction("Qah", "SY", qah, user="anna")
    # Another raid months later (the same incident would merge into the corrected event).
    later = make_extraction(title="Another report",
                            body="US forces raided a house in Atme. A helicopter came down near Qah. "
                                 "In Qah, people fled again.", when=date(2022, 5, 20))
    store.save_extraction(later)
    assert store.counts()["unresolved"] == 0
    assert store.get_event(later.events[1].event_id).lat == 36.25


def test_place_correction_rejects_impossible_coordinates(store: Store) -> None:
    with pytest.raises(EventValidationError, match="outside"):
        store.save_place_correction("Qah", "SY", Candidate("x", "Qah", 200, 0, "SY", "village"), "anna")


# --------------------------------------------------------------------------------- cache
def test_geocode_cache_answers_across_store_instances(db_url: str) -> None:
    from conflictmap.geocode.base import GeocodeCache

    cache = Store(db_url).geocode_cache()
    assert isinstance(cache, GeocodeCache)
    assert cache.get("nominatim|Atme|SY") is None
    cache.put("nominatim|Atme|SY", [ATME, AFRIN])
    cache.put("nominatim|Nowhere|", [])
    again = Store(db_url).geocode_cache()
    assert again.get("nominatim|Atme|SY") == [ATME, AFRIN]
    assert again.get("nominatim|Nowhere|") == []


# --------------------------------------------------------------------------------- errors
@pytest.mark.parametrize("url, message", [
    ("not a url", "is not a database URL"),
    ("nosuchdb://x/y", "unknown database kind"),
    ("mysql+nosuchdriver://u@h/db", "unknown database kind"),
    ("postgresql+psycopg://user:s3cret@127.0.0.1:1/db", "cannot open database"),
])
def test_bad_database_urls_give_one_line_errors(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as info:
        Store(url)
    text = str(info.value)
    assert "\n" not in text and "s3cret" not in text and "Traceback" not in text


def test_sqlite_in_an_unwritable_place_is_a_store_error(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot"):
        Store(f"sqlite:///{blocker / 'sub' / 'db.sqlite'}")


def test_default_url_comes_from_the_setting(tmp_path, monkeypatch) -> None:
    target = tmp_path / "data" / "cm.sqlite"
    monkeypatch.setenv("CONFLICTMAP_DB_URL", f"sqlite:///{target}")
    Store().save_extraction(make_extraction())
    assert target.exists()


# --------------------------------------------------------------------------------- concurrency
def test_a_writer_and_readers_on_separate_connections_never_see_locked(db_url: str) -> None:
    """A CLI ingest (its own Store) writes while app sessions (threads) read: no errors."""
    Store(db_url).save_extraction(make_extraction())
    errors: list[BaseException] = []
    done = threading.Event()

    def writer() -> None:
        ingest = Store(db_url)
        try:
            for i in range(30):
                ingest.save_extraction(make_extraction(title=f"Report {i}", body=f"{i}: {BODY}"))
        except BaseException as err:  # noqa: BLE001 - collected for the assertion below
            errors.append(err)
        finally:
            done.set()

    app = Store(db_url)

    def reader() -> None:
        try:
            while not done.is_set():
                frame = app.events_frame()
                assert len(frame) % 2 == 0, "a reader saw half an article's events"
                app.counts()
        except BaseException as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert app.counts()["articles"] == 31


# --------------------------------------------------------------------------------- frame refresh
def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.sort_values("event_id").reset_index(drop=True)
    return out.astype({c: str for c in out.columns if isinstance(out[c].dtype, pd.CategoricalDtype)})


def test_events_frame_follows_every_kind_of_write_incrementally(db_url: str) -> None:
    """The app's Store keeps its frame and re-reads only what changed; the result must equal a
    full read by a fresh Store after corrections, deletes, new articles and another writer."""
    app = Store(db_url)
    first = make_extraction()
    app.save_extraction(first)
    assert len(app.events_frame()) == 2
    loads: list[int | None] = []
    real_load = app._load_events

    def counting_load(conn, since):  # noqa: ANN001, ANN202 - a spy on the store's reads
        loads.append(since)
        return real_load(conn, since)

    app._load_events = counting_load  # type: ignore[method-assign]
    mine = app.events_frame()
    mine["scratch"] = 1  # a caller adding a column must not change what others get
    assert "scratch" not in app.events_frame().columns
    assert loads == [], "unchanged data must not be re-read"
    app.update_event(first.events[0].event_id, {"fatalities": 1, "actor1": "New actor"}, "anna")
    app.delete_event(first.events[1].event_id, "anna")
    other = Store(db_url)  # a CLI ingest in another process
    other.save_extraction(make_extraction(title="Second", body="2: " + BODY))
    other.save_place_correction("Qah", "SY", Candidate("gn:3", "Qah", 36.25, 36.72, "SY", "village"),
                                "bo")
    frame = app.events_frame()
    assert loads and all(since is not None for since in loads), "only the changes are re-read"
    fresh = Store(db_url).events_frame()
    pd.testing.assert_frame_equal(_sorted(frame), _sorted(fresh))
    row = frame.set_index("event_id").loc[first.events[0].event_id]
    assert (row["fatalities"], row["actor1"], row["review_status"]) == (1, "New actor", "corrected")
    assert first.events[1].event_id not in set(frame["event_id"])
    assert isinstance(frame["event_type"].dtype, pd.CategoricalDtype)


def test_batch_wide_constants_with_quotes_and_percent_are_stored_verbatim(store: Store) -> None:
    hostile = "100% o'clock'); DROP TABLE events;-- %s %(x)s"
    events = [Event(None, 1, "Battles", "Armed clash", "A", "L", 1.0, 2.0, 1, "e", notes=hostile,
                    source=hostile, event_id=f"x{i}") for i in range(3)]
    store.import_events(store_mod.events_to_frame(events), origin="acled")
    frame = store.events_frame()
    assert frame["notes"].tolist() == [hostile] * 3 and frame["source"].tolist() == [hostile] * 3


def test_an_older_database_gains_the_version_column(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    Store(url).save_extraction(make_extraction())
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_events_version")
        conn.exec_driver_sql("ALTER TABLE events DROP COLUMN version")
    engine.dispose()
    reopened = Store(url)
    ext = make_extraction()
    reopened.update_event(ext.events[0].event_id, {"fatalities": 4}, "anna")
    assert reopened.events_frame().set_index("event_id").loc[ext.events[0].event_id, "fatalities"] == 4


# --------------------------------------------------------------------- one incident, many articles
ATME_SV = ("Amerikanska specialstyrkor genomförde natten till torsdagen en räd mot ett hus i Atme "
           "i Idlibprovinsen. Minst 13 personer dödades, bland dem sex barn.")
ATME_EN = ("US special forces raided a house in Atme, in Syria's Idlib province, early on Thursday. "
           "At least 13 people were killed, including six children, rescuers said.")


def report(body: str, *, title: str, source: str, language: str, when: date = date(2022, 2, 3),
           published: date = date(2022, 2, 3), fatalities: int | None = 13,
           place: Candidate = ATME, precision: int = 1, event_type: str = "Battles",
           sub: str = "Armed clash", actor2: str = "Islamic State") -> Extraction:
    """One article reporting one raid, as the pipeline would hand it to the store."""
    article = Article(title=title, body=body, date=published, language=language, source=source)
    start = body.index(place.name)
    found = Place(Mention(place.name, start, start + len(place.name), (place,)), place,
                  precision=precision, confidence=0.9)
    end = body.index(".") + 1
    raid = Event(when, 1, event_type, sub, "Military Forces of the United States", place.name,
                 place.lat, place.lon, precision, body[:end], country="Syria", iso="SY",
                 admin1=place.admin1, fatalities=fatalities, article_id=article.id,
                 evidence_start=0, evidence_end=end, confidence=0.7, source=source,
                 actor2=actor2, actors=["Military Forces of the United States", actor2])
    return Extraction(article, (found,), (raid,))


def sv_report(**kw: object) -> Extraction:
    return report(ATME_SV, title="Amerikansk räd i Idlib", source="Sveriges Radio",
                  language="sv", **kw)  # type: ignore[arg-type]


def en_report(**kw: object) -> Extraction:
    return report(ATME_EN, title="US raid in Syria's Idlib", source="Reuters", language="en",
                  **kw)  # type: ignore[arg-type]


def test_the_same_raid_reported_in_swedish_and_english_is_one_event_with_both_sources(
        store: Store) -> None:
    sv, en = sv_report(), en_report()
    store.save_extraction(sv)
    result = store.save_extraction(en)
    assert (result.events_added, result.events_merged) == (0, 1)
    frame = store.events_frame()
    assert len(frame) == 1, "one incident must be one point on the map"
    kept = sv.events[0].event_id
    assert frame["event_id"].tolist() == [kept]
    assert frame["source"].tolist() == ["Sveriges Radio; Reuters"]
    assert frame["fatalities"].tolist() == [13]
    # Each article's view lists the event; the article list counts it for both.
    assert [e.event_id for e in store.get_article(en.article.id).events] == [kept]
    assert [e.event_id for e in store.get_article(sv.article.id).events] == [kept]
    counts = store.articles_frame().set_index("id")["events"]
    assert counts[sv.article.id] == 1 and counts[en.article.id] == 1
    assert store.event_articles(kept) == [sv.article.id, en.article.id]


def test_two_events_of_one_article_about_a_stored_incident_count_once(store: Store) -> None:
    sv = sv_report()
    store.save_extraction(sv)
    en = en_report()
    # The English article also codes the killing of the civilians as its own event.
    civilians = dataclasses.replace(en.events[0], event_type="Violence against civilians",
                                    sub_event_type="Attack", actor2="Civilians (Syria)",
                                    evidence_start=40, event_id="")
    two = Extraction(en.article, en.places, (en.events[0], civilians))
    assert store.save_extraction(two).events_merged == 2
    assert store.counts()["events"] == 1
    assert store.articles_frame().set_index("id")["events"][en.article.id] == 1


def test_resaving_the_second_article_changes_nothing(store: Store) -> None:
    store.save_extraction(sv_report())
    store.save_extraction(en_report())
    version, before = store.data_version(), store.events_frame()
    again = store.save_extraction(en_report())
    assert (again.events_added, again.events_merged, again.events_updated) == (0, 0, 0)
    assert again.events_unchanged == 1
    assert store.data_version() == version
    after = store.events_frame()
    assert after["source"].tolist() == before["source"].tolist() == ["Sveriges Radio; Reuters"]
    assert store.counts()["events"] == 1


def test_a_different_incident_nearby_on_another_day_stays_a_second_event(store: Store) -> None:
    store.save_extraction(sv_report())
    other = en_report(when=date(2022, 2, 10), published=date(2022, 2, 10))
    result = store.save_extraction(other)
    assert (result.events_added, result.events_merged) == (1, 0)
    frame = store.events_frame().sort_values("event_date")
    assert frame["source"].tolist() == ["Sveriges Radio", "Reuters"]
    assert [e.event_id for e in store.get_article(other.article.id).events] == [
        other.events[0].event_id]


def test_a_different_kind_of_incident_the_same_day_in_the_same_town_stays_separate(
        store: Store) -> None:
    store.save_extraction(sv_report())
    protest = en_report(event_type="Protests", sub="Peaceful protest", actor2="")
    assert store.save_extraction(protest).events_added == 1
    assert store.counts()["events"] == 2


def test_later_report_updates_the_toll_same_day_reports_keep_the_lowest(store: Store) -> None:
    store.save_extraction(sv_report(fatalities=13))
    store.save_extraction(en_report(fatalities=9))  # same day, lower: the conservative figure
    assert store.events_frame()["fatalities"].tolist() == [9]
    update = report(ATME_EN.replace("early", "late"), title="Toll rises", source="AP",
                    language="en", published=date(2022, 2, 4), fatalities=15)
    store.save_extraction(update)  # published a day later: the toll was revised
    frame = store.events_frame()
    assert frame["fatalities"].tolist() == [15]
    assert frame["source"].tolist() == ["Sveriges Radio; Reuters; AP"]


@pytest.mark.parametrize(("reports", "expected"), [
    ([(date(2022, 2, 3), 13), (date(2022, 2, 3), 9)], 9),
    ([(date(2022, 2, 3), 13), (date(2022, 2, 4), 15)], 15),
    ([(date(2022, 2, 4), 13), (date(2022, 2, 3), 40)], 13),
    ([(date(2022, 2, 3), None), (date(2022, 2, 4), None)], None),
    ([(date(2022, 2, 3), 13), (date(2022, 2, 4), None)], 13),  # no figure is no update
    ([(None, 13), (date(2022, 2, 4), 20)], 13),  # undated: order unknown, lowest
])
def test_conservative_fatalities(reports: list[tuple[date | None, int | None]],
                                 expected: int | None) -> None:
    assert store_mod.conservative_fatalities(reports) == expected


def test_a_more_precise_second_report_moves_the_event(store: Store) -> None:
    idlib = Candidate("gn:4", "Idlib", 35.93, 36.63, "SY", "admin1", "Idlib")
    vague = report("US forces raided a house in Idlib province overnight. Several were killed.",
                   title="Raid in Idlib", source="TT", language="sv", place=idlib, precision=3,
                   fatalities=None)
    store.save_extraction(vague)
    store.save_extraction(en_report())
    frame = store.events_frame()
    assert len(frame) == 1
    assert frame["event_id"].tolist() == [vague.events[0].event_id]
    assert (frame["location"].tolist(), frame["geo_precision"].tolist()) == (["Atme"], [1])
    assert frame["lat"].tolist() == [ATME.lat]
    assert frame["fatalities"].tolist() == [13]


def test_rerun_of_the_first_article_keeps_the_merged_sources(store: Store) -> None:
    store.save_extraction(sv_report())
    store.save_extraction(en_report(fatalities=9))
    rerun = sv_report()
    rerun.events[0].notes = "better notes from a new coder"
    assert store.save_extraction(rerun).events_updated == 1
    frame = store.events_frame()
    assert frame["notes"].tolist() == ["better notes from a new coder"]
    assert frame["source"].tolist() == ["Sveriges Radio; Reuters"]
    assert frame["fatalities"].tolist() == [9]


def test_a_persons_event_only_gains_the_link(store: Store) -> None:
    sv = sv_report()
    store.save_extraction(sv)
    kept = sv.events[0].event_id
    store.update_event(kept, {"fatalities": 11}, user="anna")
    en = en_report(fatalities=9)
    assert store.save_extraction(en).events_merged == 1
    event = store.get_event(kept)
    assert (event.fatalities, event.source, event.review_status) == (11, "Sveriges Radio", "corrected")
    assert [e.event_id for e in store.get_article(en.article.id).events] == [kept]
    assert store.counts()["events"] == 1


def test_an_event_a_person_deleted_is_not_brought_back_by_another_article(store: Store) -> None:
    sv = sv_report()
    store.save_extraction(sv)
    store.delete_event(sv.events[0].event_id, user="anna")
    en = en_report()
    store.save_extraction(en)
    assert store.counts()["events"] == 0
    assert store.get_article(en.article.id).events == []


def test_an_event_a_person_moved_is_found_at_its_new_place(store: Store) -> None:
    sv = sv_report()
    store.save_extraction(sv)
    kept = sv.events[0].event_id
    # The machine put it in the wrong place; it was in Deir ez-Zor, 330 km east.
    store.update_event(kept, {"location": "Deir ez-Zor", "lat": 35.33, "lon": 40.14}, user="anna")
    deir = Candidate("gn:5", "Deir ez-Zor", 35.33, 40.14, "SY", "city", "Deir ez-Zor")
    moved = report("US special forces raided a house in Deir ez-Zor at dawn. Thirteen died.",
                   title="Raid in eastern Syria", source="AP", language="en", place=deir)
    assert store.save_extraction(moved).events_merged == 1
    assert store.event_articles(kept) == [sv.article.id, moved.article.id]
    # Atme is far from where the event now is: a report from there is another event.
    assert store.save_extraction(en_report()).events_added == 1
    assert store.counts()["events"] == 2


def _raid_at(n: int, lat: float, lon: float, when: date, time_precision: int,
             geo_precision: int) -> Extraction:
    body = f"Report {n}: US forces raided a compound."
    article = Article(title=f"Report {n}", body=body, date=when, source=f"Outlet {n}")
    event = Event(when, time_precision, "Battles", "Armed clash",
                  "Military Forces of the United States", f"Place {n}", lat, lon, geo_precision,
                  body, article_id=article.id, source=f"Outlet {n}", actor2="Islamic State")
    return Extraction(article, (), (event,))


def test_the_store_merges_exactly_what_same_incident_calls_one_incident(tmp_path) -> None:
    """The candidate lookup (cells, date window, box) must not hide a pair same_incident would
    merge, nor merge one it would not, for every precision, day gap and distance it tells apart."""
    from conflictmap.events import same_incident

    store = Store(f"sqlite:///{tmp_path / 'pairs.sqlite'}", clock=Clock())
    combos = [(tp_a, tp_b, gap, 0.0, 1, 1) for tp_a in (1, 2, 3) for tp_b in (1, 2, 3)
              for gap in (0, 1, 2, 7, 8, 31, 32)]
    combos += [(1, 1, 0, km, gp_a, gp_b) for gp_a, gp_b in ((1, 1), (1, 2), (2, 3), (3, 3))
               for km in (5.0, 12.0, 28.0, 35.0, 95.0, 105.0)]
    decided = []
    for i, (tp_a, tp_b, gap, km, gp_a, gp_b) in enumerate(combos):
        # Each pair far (> 300 km) from every other pair.
        lat, lon = -60.0 + 4.0 * (i // 30), -170.0 + 11.0 * (i % 30)
        a = _raid_at(2 * i, lat, lon, date(2022, 3, 1), tp_a, gp_a)
        b = _raid_at(2 * i + 1, lat + km / 111.2, lon, date(2022, 3, 1) + timedelta(days=gap),
                     tp_b, gp_b)
        store.save_extraction(a)
        merged = store.save_extraction(b).events_merged == 1
        decided.append(merged)
        assert merged == same_incident(a.events[0], b.events[0]), (tp_a, tp_b, gap, km, gp_a, gp_b)
    assert any(decided) and not all(decided)


def test_merge_candidates_are_read_through_the_incident_index(store: Store) -> None:
    if store.dialect != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    engine = sa.create_engine(store.url)
    with engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT event_id FROM events WHERE geo_cell IN (1, 2, 3) "
            "AND event_date >= '2022-01-01' AND event_date <= '2022-03-01' "
            "AND origin = 'article' AND article_id <> 'x'"))
    engine.dispose()
    assert "ix_events_incident" in plan, plan


def test_a_database_from_before_merging_is_upgraded(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    sv = sv_report()
    Store(url).save_extraction(sv)
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # what an older version of the store left behind
        conn.exec_driver_sql("DROP INDEX ix_events_incident")
        conn.exec_driver_sql("ALTER TABLE events DROP COLUMN geo_cell")
        conn.exec_driver_sql("DROP TABLE event_sources")
    engine.dispose()
    store = Store(url)
    assert store.save_extraction(en_report()).events_merged == 1
    assert store.events_frame()["source"].tolist() == ["Sveriges Radio; Reuters"]


def test_swedish_and_english_articles_through_the_pipeline_give_one_event(store: Store) -> None:
    from conflictmap.pipeline import extract_article

    sv = Article(title="Amerikansk räd i Idlib", date=date(2022, 2, 3), language="sv",
                 source="Sveriges Radio",
                 body="Amerikanska specialstyrkor genomförde tidigt på torsdagsmorgonen en räd mot "
                      "ett hus i byn Atme i Idlibprovinsen i nordvästra Syrien. Minst 13 personer "
                      "dödades, bland dem sex barn, enligt räddningsarbetare.")
    en = Article(title="US raid in Syria's Idlib", date=date(2022, 2, 3), language="en",
                 source="Reuters",
                 body="US special forces carried out a raid on a house in the village of Atmeh in "
                      "Syria's northwestern Idlib province early on Thursday. At least 13 people, "
                      "including six children, were killed, rescuers said.")
    first = store.save_extraction(extract_article(sv))
    second = store.save_extraction(extract_article(en))
    assert first.events_added >= 1 and second.events_merged >= 1
    frame = store.events_frame()
    atme = frame[frame["location"].isin(["Atme", "Atmeh"])]
    assert len(atme) == 1
    assert atme["source"].tolist() == ["Sveriges Radio; Reuters"]
    assert atme["event_id"].iloc[0] in {e.event_id for e in store.get_article(en.id).events}


def test_two_writers_linking_reports_of_one_incident_at_once(db_url: str) -> None:
    Store(db_url, clock=Clock()).save_extraction(sv_report())
    reports = [en_report(), report(ATME_EN + " More soon.", title="Raid", source="AP", language="en")]
    barrier = threading.Barrier(len(reports))
    errors: list[BaseException] = []

    def save(ext: Extraction) -> None:
        writer = Store(db_url, clock=Clock())  # its own connections, like another process
        barrier.wait()
        try:
            writer.save_extraction(ext)
        except BaseException as err:  # noqa: BLE001  (collected for the assertion below)
            errors.append(err)
        finally:
            writer.close()

    threads = [threading.Thread(target=save, args=(r,)) for r in reports]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    store = Store(db_url)
    frame = store.events_frame()
    assert len(frame) == 1
    assert set(frame["source"].iloc[0].split("; ")) == {"Sveriges Radio", "Reuters", "AP"}
