"""Command line: `python -m conflictmap extract|ingest|import|export|gazetteer ...`.

This is an edge: typed errors become one-line messages and a non-zero exit here, never tracebacks.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from conflictmap.errors import ConflictMapError

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date of the form YYYY-MM-DD") from None


def _internal_error(what: str, err: BaseException) -> str:
    return f"{what}: internal error {type(err).__name__}: {err} (please report this as a bug)"


def _say_error(message: str) -> None:
    print(f"conflictmap: error: {message}", file=sys.stderr)


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    out: dict[str, object] = {}
    if getattr(args, "date", None):
        out["date"] = args.date
    if getattr(args, "lang", None) and args.lang != "auto":
        out["language"] = args.lang
    return out


def _geocoder(offline: bool, store: Any = None) -> Any:
    """None means the offline gazetteer alone; online only when settings allow and not --offline."""
    from conflictmap import settings

    if offline or not settings.get_bool("CONFLICTMAP_ALLOW_NETWORK"):
        return None
    from conflictmap.geocode import OfflineGeocoder, build_geocoder
    from conflictmap.store import Store

    geocoder = build_geocoder(offline=False, cache=(store or Store()).geocode_cache())
    # build_geocoder hands back the plain offline geocoder when settings keep us offline.
    return None if isinstance(geocoder, OfflineGeocoder) else geocoder


def cmd_extract(args: argparse.Namespace) -> int:
    from conflictmap.ingest import read_article
    from conflictmap.pipeline import extract_article

    geocoder = _geocoder(args.offline)
    overrides = _overrides(args)
    several = len(args.files) > 1
    failures = 0
    for path in args.files:
        try:
            extraction = extract_article(read_article(Path(path), **overrides), geocoder=geocoder)
        except Exception as err:  # noqa: BLE001 - one bad file must not stop the batch
            failures += 1
            message = str(err) if isinstance(err, ConflictMapError) else _internal_error(path, err)
            _say_error(message)
            if args.json and several:
                # Keep one line per file, in order, so batch consumers stay aligned.
                print(json.dumps({"source": path, "error": message}, ensure_ascii=False), flush=True)
            continue
        if args.json:
            record = extraction.to_json()
            if several:
                record = {"source": path, **record}
                print(json.dumps(record, ensure_ascii=False), flush=True)
            else:
                print(json.dumps(record, ensure_ascii=False, indent=2))
        else:
            print(_summary(path, extraction))
    _print_online_stats(geocoder)
    return EXIT_SOME_FAILED if failures else EXIT_OK


def _print_online_stats(geocoder: Any) -> None:
    """Tell the user when the online geocoder failed and the offline answers stood."""
    stats = getattr(geocoder, "stats", None)
    if stats is not None and stats.online_lookups:
        line = (f"online geocoder: {stats.online_lookups} lookups, {stats.online_answers} answered, "
                f"{stats.online_failures} failed")
        if stats.online_failures:
            line += f" (offline results stood; last error: {stats.last_error})"
        print(line, file=sys.stderr)


def _summary(path: str, extraction: Any) -> str:
    art = extraction.article
    lines = [f"{path}: {art.title} ({art.date or 'undated'}, {art.language})"]
    lines.append(f"  places ({len(extraction.places)}):")
    for place in extraction.places:
        cand = place.candidate
        where = f"{cand.name}, {cand.country_code} ({cand.lat:.3f}, {cand.lon:.3f})" if cand else "unresolved"
        lines.append(f"    {place.mention.text!r} @{place.mention.start} → {where}")
    lines.append(f"  events ({len(extraction.events)}):")
    for ev in extraction.events:
        lines.append(
            f"    {ev.event_date or 'undated'} {ev.event_type} / {ev.sub_event_type} at {ev.location}; "
            f"{ev.actor1}{' vs ' + ev.actor2 if ev.actor2 else ''}; fatalities {ev.fatalities if ev.fatalities is not None else 'unknown'}"
        )
    return "\n".join(lines)


def cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from conflictmap.pipeline import ingest_paths
    from conflictmap.store import Store

    store = Store()
    bar = tqdm(total=0, unit="file", disable=args.quiet or None, file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    missing = [p for p in args.paths if not Path(p).exists()]
    for p in missing:
        _say_error(f"{p}: no such file or folder")
    geocoder = _geocoder(args.offline, store)
    report = ingest_paths([Path(p) for p in args.paths if Path(p).exists()], store,
                          progress=progress, workers=args.workers, overrides=_overrides(args), geocoder=geocoder)
    bar.close()
    for problem in report.problems:
        _say_error(problem)
    merged = f", {report.events_merged} joined events already stored" if report.events_merged else ""
    print(f"ingested {report.ingested} articles ({report.events} events{merged}), "
          f"{report.already_present} already present, {report.failed + len(missing)} failed")
    _print_online_stats(geocoder)
    return EXIT_SOME_FAILED if (report.problems or missing) else EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from conflictmap import datasets
    from conflictmap.store import Store

    store = Store()
    importer = datasets.import_acled if args.kind == "acled" else datasets.import_ucdp
    with tqdm(unit="row", disable=args.quiet or None, file=sys.stderr) as bar:
        report = importer(store, Path(args.file), progress=lambda n: bar.update(n - bar.n))
    for problem in report.problems[:50]:
        print(f"conflictmap: skipped: {args.file}: {problem}", file=sys.stderr)
    if len(report.problems) > 50:
        print(f"conflictmap: ... and {len(report.problems) - 50} more skipped rows", file=sys.stderr)
    print(f"imported {report.imported}, updated {report.updated}, skipped {report.skipped}")
    return EXIT_SOME_FAILED if report.skipped else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from conflictmap.datasets import export_events
    from conflictmap.filters import EventFilter, apply_filter
    from conflictmap.store import Store

    flt = EventFilter(
        date_from=args.date_from, date_to=args.date_to,
        actors=tuple(args.actor or ()), event_types=tuple(args.type or ()),
        countries=tuple(args.country or ()), min_fatalities=args.min_fatalities or 0,
        text=args.text or "",
    )
    frame = apply_filter(Store().events_frame(), flt)
    data = export_events(frame, args.format)
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"wrote {len(frame)} events to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return EXIT_OK


def cmd_gazetteer(args: argparse.Namespace) -> int:
    from conflictmap import gazetteer

    if args.action == "import":
        count = gazetteer.import_geonames(Path(args.target))
        print(f"imported {count} places from {args.target}")
    elif args.action == "download":
        count = gazetteer.download_geonames(args.target)
        print(f"downloaded and imported {count} places for {args.target}")
    else:  # build / stats
        stats = gazetteer.load_gazetteer().stats()
        print(f"gazetteer ready: {stats.get('places', 0):,} places, {stats.get('names', 0):,} names, "
              f"{stats.get('bytes', 0) / 1e6:.0f} MB on disk")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m conflictmap",
                                     description="Conflict Event Map: news articles → events on a map.")
    sub = parser.add_subparsers(dest="command", required=True)

    def article_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--date", type=_iso_date, help="publication date YYYY-MM-DD (overrides front matter)")
        p.add_argument("--lang", choices=["sv", "en", "auto"], default="auto", help="article language")
        p.add_argument("--offline", action="store_true", help="never use the network (bundled gazetteer only)")

    p = sub.add_parser("extract", help="print places and events of article files; writes no database")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="JSON (JSON Lines for several files)")
    article_options(p)
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("ingest", help="extract article files or folders into the store")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--workers", type=int, default=1, help="processes to extract with (0 = every core)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    article_options(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("import", help="import an ACLED export or a UCDP GED CSV into the store")
    p.add_argument("kind", choices=["acled", "ucdp"])
    p.add_argument("file")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="write the stored events (filtered) as CSV, GeoJSON or JSON")
    p.add_argument("--format", choices=["csv", "geojson", "json"], default="csv")
    p.add_argument("--output", "-o", help="file to write (default: standard output)")
    p.add_argument("--from", dest="date_from", type=_iso_date, help="first event date")
    p.add_argument("--to", dest="date_to", type=_iso_date, help="last event date")
    p.add_argument("--actor", action="append", help="actor name (repeatable)")
    p.add_argument("--type", action="append", help="event type (repeatable)")
    p.add_argument("--country", action="append", help="country name (repeatable)")
    p.add_argument("--min-fatalities", type=int)
    p.add_argument("--text", help="free-text search over notes and evidence")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("gazetteer", help="build the gazetteer index, or deepen it with GeoNames dumps")
    p.add_argument("action", choices=["build", "import", "download"])
    p.add_argument("target", nargs="?", help="import: a GeoNames dump (SY.txt) or alternateNamesV2.txt; "
                                             "download: a country code (needs the network)")
    p.set_defaults(func=cmd_gazetteer)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "gazetteer" and args.action in ("import", "download") and not args.target:
        parser.error(f"gazetteer {args.action} needs a {'file' if args.action == 'import' else 'country code'}")
    try:
        return int(args.func(args))
    except ConflictMapError as err:
        _say_error(str(err))
        return EXIT_SOME_FAILED
    except KeyboardInterrupt:
        _say_error("interrupted; what was saved stays saved, run the same command again to finish")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as err:  # noqa: BLE001 - the edge: never show a traceback
        _say_error(_internal_error(args.command, err))
        return EXIT_SOME_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
