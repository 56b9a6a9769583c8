"""The on-disk gazetteer index: a name (any spelling) in → ranked `Candidate`s out.

Two SQLite files in the cache directory: the base index (built from bundled data, read-only) and
the user's imports (GeoNames dumps added with `import_geonames`). Opening them costs milliseconds,
so a warm start needs no loading; each thread gets its own read connection (Streamlit serves
sessions on threads and sqlite3 connections must not cross threads).
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from conflictmap import settings
from conflictmap.gazetteer.build import FEATURE_PRIOR, FEATURE_RANK, KIND_PRIMARY, SCHEMA, build_index, fingerprint
from conflictmap.gazetteer.normalize import name_key, strip_article
from conflictmap.models import Candidate

BASE_FILE = "gazetteer.sqlite"
IMPORTS_FILE = "gazetteer-imports.sqlite"

_COLUMNS = "p.place_id, p.name, p.lat, p.lon, p.country_code, p.feature, p.admin1, p.population, p.source"


@dataclass(frozen=True)
class NameMatch:
    """A candidate found under one name key, with how the name is known (see build.KIND_*)."""

    candidate: Candidate
    kind: int
    key: str


def prior_score(match: NameMatch) -> float:
    """Context-free plausibility of a match: feature kind, population, and how the name is known."""
    cand = match.candidate
    score = math.log10(cand.population + 10)
    score += FEATURE_PRIOR.get(cand.feature, 0.0)
    if match.kind == KIND_PRIMARY:
        score += 0.8
    if cand.source == "supplement":  # curated rows exist because news names them
        score += 1.5
    return score


def _select_in(conn: sqlite3.Connection, query: str, values: Sequence[str]) -> Iterator[tuple]:
    """Rows of `query` (ending in "IN ({marks})") for every value, 500 bound values at a time
    (SQLite's limit on variables is lower on old builds)."""
    for i in range(0, len(values), 500):
        chunk = values[i:i + 500]
        # Only "?" placeholders are interpolated.
        yield from conn.execute(query.format(marks=",".join("?" * len(chunk))), chunk).fetchall()


def _use_imported_rows(imports: sqlite3.Connection, found: dict[str, dict[str, NameMatch]]) -> None:
    """An imported row (GeoNames' own country, division or town) replaces the bundled row of the
    same id under every name, also names only the bundled row has ("Kanada")."""
    ids = sorted({pid for by_id in found.values() for pid in by_id})
    query = f"SELECT {_COLUMNS} FROM places p WHERE p.place_id IN ({{marks}})"  # noqa: S608
    replaced = {cols[0]: Candidate(*cols) for cols in _select_in(imports, query, ids)}
    if not replaced:
        return
    for by_id in found.values():
        for pid, match in by_id.items():
            if pid in replaced and match.candidate != replaced[pid]:
                by_id[pid] = NameMatch(replaced[pid], match.kind, match.key)


class Gazetteer:
    """Name lookups over the cached index. Build with `load_gazetteer()`, not directly."""

    def __init__(self, base_path: Path, imports_path: Path) -> None:
        self.base_path = base_path
        self.imports_path = imports_path
        self._local = threading.local()
        self._cache: dict[str, tuple[NameMatch, ...]] = {}
        self._generation = 0

    # -- connections -------------------------------------------------------------------------
    def _conns(self) -> list[sqlite3.Connection]:
        local = self._local
        if getattr(local, "generation", -1) != self._generation:
            conns = [sqlite3.connect(f"file:{self.base_path}?mode=ro&immutable=1", uri=True)]
            if self.imports_path.exists():
                conns.append(sqlite3.connect(f"file:{self.imports_path}?mode=ro", uri=True))
            local.conns = conns
            local.generation = self._generation
        return local.conns

    def invalidate(self) -> None:
        """Forget cached answers and reopen files (after an import added places)."""
        self._cache.clear()
        self._generation += 1

    # -- lookups -----------------------------------------------------------------------------
    def matches_for_keys(self, keys: Iterable[str]) -> dict[str, tuple[NameMatch, ...]]:
        """Batch lookup of normalised keys → matches (best prior first); unknown keys are absent."""
        out: dict[str, tuple[NameMatch, ...]] = {}
        todo = []
        for k in set(keys):
            hit = self._cache.get(k)
            if hit is None:
                todo.append(k)
            elif hit:
                out[k] = hit
        if todo:
            found: dict[str, dict[str, NameMatch]] = {k: {} for k in todo}
            conns = self._conns()
            # Only "?" placeholders and a constant column list are interpolated.
            query = (f"SELECT n.key, n.kind, {_COLUMNS} FROM names n JOIN places p"  # noqa: S608
                     " ON p.id = n.pid WHERE n.key IN ({marks})")
            for conn in conns:
                for key, kind, *cols in _select_in(conn, query, todo):
                    cand = Candidate(*cols)
                    # Imports come last and replace a base row with the same id.
                    found[key][cand.place_id] = NameMatch(cand, kind, key)
            if len(conns) > 1:
                _use_imported_rows(conns[1], found)
            for k, by_id in found.items():
                ranked = tuple(sorted(by_id.values(), key=prior_score, reverse=True))
                if len(self._cache) > 200_000:
                    self._cache.clear()
                self._cache[k] = ranked
                if ranked:
                    out[k] = ranked
        return out

    def lookup_matches(self, name: str) -> tuple[NameMatch, ...]:
        """Matches for one surface name, trying it with and without an Arabic article."""
        key = name_key(name)
        keys = [key]
        bare = strip_article(key)
        if bare != key:
            keys.append(bare)
        found = self.matches_for_keys(keys)
        merged: dict[str, NameMatch] = {}
        for k in keys:
            for m in found.get(k, ()):
                merged.setdefault(m.candidate.place_id, m)
        return tuple(sorted(merged.values(), key=prior_score, reverse=True))

    def lookup(self, name: str) -> list[Candidate]:
        """Every place called `name` (any language or spelling in the index), most plausible first.

        >>> load_gazetteer().lookup("Damaskus")[0].country_code
        'SY'
        """
        return [m.candidate for m in self.lookup_matches(name)]

    def search(self, query: str, limit: int = 20) -> list[Candidate]:
        """Names starting with `query` (exact names first, then by size), for a search box."""
        key = name_key(query)
        if not key:
            return []
        exact = self.lookup(query)
        seen = {c.place_id for c in exact}
        results = list(exact)
        upper = key[:-1] + chr(ord(key[-1]) + 1)
        extra: list[tuple[float, Candidate]] = []
        for conn in self._conns():
            sql = (f"SELECT n.key, n.kind, {_COLUMNS} FROM names n JOIN places p"  # noqa: S608
                   " ON p.id = n.pid WHERE n.key >= ? AND n.key < ? ORDER BY p.population DESC LIMIT ?")
            rows = conn.execute(sql, (key, upper, limit * 5)).fetchall()
            for k, kind, *cols in rows:
                cand = Candidate(*cols)
                if cand.place_id not in seen:
                    seen.add(cand.place_id)
                    extra.append((prior_score(NameMatch(cand, kind, k)), cand))
        extra.sort(key=lambda t: (-t[0], FEATURE_RANK.get(t[1].feature, 9)))
        results.extend(c for _, c in extra)
        return results[:limit]

    def stats(self) -> dict[str, int]:
        """Sizes for the docs and the about page: places, names and bytes on disk."""
        out = {"bytes": self.base_path.stat().st_size}
        conn = self._conns()[0]
        out["places"] = conn.execute("SELECT count(*) FROM places").fetchone()[0]
        out["names"] = conn.execute("SELECT count(*) FROM names").fetchone()[0]
        if self.imports_path.exists():
            out["imported_places"] = sqlite3.connect(self.imports_path).execute(
                "SELECT count(*) FROM places").fetchone()[0]
        return out


_LOCK = threading.Lock()
_INSTANCES: dict[Path, Gazetteer] = {}
_BY_ARGUMENT: dict[str, Gazetteer] = {}


def cache_dir_default() -> Path:
    return Path(settings.get("CONFLICTMAP_CACHE_DIR"))


def _is_current(path: Path, want: str) -> bool:
    if not path.exists():
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT v FROM meta WHERE k = 'fingerprint'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return bool(row) and row[0] == want


def load_gazetteer(cache_dir: Path | None = None) -> Gazetteer:
    """The process-wide gazetteer for `cache_dir` (default: setting CONFLICTMAP_CACHE_DIR).

    The first call on a machine builds the index (about a minute); later starts only open it.
    """
    # Every article asks for the gazetteer: answer repeated calls without touching the disk.
    memo_key = str(cache_dir) if cache_dir is not None else settings.get("CONFLICTMAP_CACHE_DIR")
    gaz = _BY_ARGUMENT.get(memo_key)
    if gaz is not None:
        return gaz
    cache_dir = Path(cache_dir) if cache_dir is not None else cache_dir_default()
    cache_dir = cache_dir.resolve()
    with _LOCK:
        gaz = _INSTANCES.get(cache_dir)
        if gaz is not None:
            _BY_ARGUMENT[memo_key] = gaz
            return gaz
        base = cache_dir / BASE_FILE
        if not _is_current(base, fingerprint()):
            build_index(base)
        gaz = Gazetteer(base, cache_dir / IMPORTS_FILE)
        _INSTANCES[cache_dir] = gaz
        _BY_ARGUMENT[memo_key] = gaz
        return gaz


def open_imports(path: Path) -> sqlite3.Connection:
    """A writable connection to the imports file (created with the index schema if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    return conn
