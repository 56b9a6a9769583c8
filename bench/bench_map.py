"""Map scale benchmark: synthetic ACLED-like events → server time, page size, Chromium draw time.

Compares our payload + grid-cluster layer (conflictmap.mapview) with two baselines measured in the
same run: one folium.Marker + Popup per event in a MarkerCluster, and FastMarkerCluster with a JS
callback. Prints the median and spread (min-max) of repeated runs.

    python bench/bench_map.py                       # 1k, 10k, 100k; 3 repeats
    python bench/bench_map.py --sizes 1000 100000 --repeats 5 --markers-max 10000
    python bench/bench_map.py --app 100000          # the real Map page (AppTest), see below

Server time = build the folium.Map + what st_folium does with it on every rerun (render, script
extraction, hash), wall clock and CPU. For ours twice: "cold" (a new filter: the events are
encoded) and "rerun" (same events again, e.g. after a click: the encoded payload comes from the
per-process cache after a fingerprint of the frame). The frame has the dtypes Store.events_frame()
returns (categoricals for repeated text, str for ids and evidence). Draw time = navigation start →
events drawn, in Debian Chromium (Playwright), served from loopback with local assets and no tiles.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import folium
import numpy as np
import pandas as pd
from folium.plugins import FastMarkerCluster, MarkerCluster

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import chromium_browser, page_server  # noqa: E402
from store_frames import as_store_frame  # noqa: E402

from conflictmap import mapview  # noqa: E402

TYPES = {
    "Battles": ["Armed clash"],
    "Explosions/Remote violence": ["Air/drone strike", "Shelling/artillery/missile attack"],
    "Violence against civilians": ["Attack"],
    "Protests": ["Peaceful protest"],
    "Riots": ["Mob violence"],
    "Strategic developments": ["Arrests"],
}
WORDS = ("forces village killed reported attack near town shelling clashes militants army drone "
         "strike civilians wounded district police protesters group local sources said").split()


def synthetic_events(n: int, seed: int = 42, sites: int = 8000) -> pd.DataFrame:
    """ACLED-like: events repeat at a few thousand places (Zipf-ish), 200-character evidence."""
    rng = np.random.default_rng(seed)
    rnd = random.Random(seed)
    site_lat = rng.uniform(12, 42, sites)
    site_lon = rng.uniform(25, 63, sites)
    weights = 1 / np.arange(1, sites + 1) ** 0.8
    pick = rng.choice(sites, size=n, p=weights / weights.sum())
    types = list(TYPES)
    event_type = rng.choice(types, size=n)
    rows = {
        "event_id": [f"cm-{i:016x}" for i in rng.integers(0, 2**63, n)],
        "event_date": pd.to_datetime("2018-01-01") + pd.to_timedelta(rng.integers(0, 2400, n), "D"),
        "time_precision": rng.choice([1, 1, 1, 2, 3], size=n),
        "event_type": event_type,
        "sub_event_type": [TYPES[t][0] for t in event_type],
        "actors": [f"Actor {a}; Actor {b}" for a, b in rng.integers(0, 400, (n, 2))],
        "location": [f"Place {s}" for s in pick],
        "admin1": [f"Province {s % 90}" for s in pick],
        "country": [f"Country {s % 12}" for s in pick],
        "lat": site_lat[pick],
        "lon": site_lon[pick],
        "geo_precision": rng.choice([1, 1, 2, 3], size=n),
        "fatalities": rng.integers(0, 20, n),
        "evidence": [" ".join(rnd.choices(WORDS, k=30))[:200] for _ in range(n)],
        "article_title": [f"Report {i % 5000}" for i in range(n)],
        "source": "Bench Wire",
        "source_url": [f"https://example.org/a/{i % 5000}" for i in range(n)],
        "review_status": "machine",
    }
    return pd.DataFrame(rows)


def st_folium_server_work(fmap: folium.Map) -> int:
    """What st_folium does with a map on every rerun; returns the bytes it would send."""
    from streamlit_folium import _get_header, _get_html, _get_map_string, generate_js_hash

    fmap.get_root().render()
    fmap.render()
    html = _get_html(fmap)
    header = _get_header(fmap)
    script = _get_map_string(fmap)
    generate_js_hash(script, "event_map", False)
    return len(html) + len(header) + len(script)


def build_ours(frame: pd.DataFrame) -> folium.Map:
    return mapview.build_event_map(frame, tiles="none")


def _base_map(frame: pd.DataFrame) -> folium.Map:
    fmap = folium.Map(location=[30, 45], zoom_start=4, tiles=None, max_zoom=18, prefer_canvas=True)
    fmap.options["max_zoom"] = 18
    return fmap


def build_markers(frame: pd.DataFrame) -> folium.Map:
    fmap = _base_map(frame)
    cluster = MarkerCluster().add_to(fmap)
    for row in frame.itertuples():
        text = f"{row.event_date:%Y-%m-%d} {row.event_type} {row.location}: {row.evidence}"
        folium.Marker([row.lat, row.lon], popup=folium.Popup(text, parse_html=False)).add_to(cluster)
    fmap.fit_bounds([[frame.lat.min(), frame.lon.min()], [frame.lat.max(), frame.lon.max()]])
    mapview.localize_assets(fmap)
    return fmap


def build_fast(frame: pd.DataFrame) -> folium.Map:
    fmap = _base_map(frame)
    callback = ("function (row) { var m = L.marker(new L.LatLng(row[0], row[1]));"
                " m.bindPopup(row[2]); return m; }")
    data = list(zip(frame.lat.round(5), frame.lon.round(5),
                    (frame.event_type + " " + frame.location).tolist(), strict=True))
    FastMarkerCluster(data, callback=callback).add_to(fmap)
    fmap.fit_bounds([[frame.lat.min(), frame.lon.min()], [frame.lat.max(), frame.lon.max()]])
    mapview.localize_assets(fmap)
    return fmap


def build_ours_cold(frame: pd.DataFrame) -> folium.Map:
    mapview.clear_cache()
    return mapview.build_event_map(frame, tiles="none")


METHODS = {
    "conflictmap, new filter (encode)": (build_ours_cold, "[data-cm-markers]"),
    "conflictmap, rerun (cached payload)": (build_ours, "[data-cm-markers]"),
    "FastMarkerCluster + callback": (build_fast, ".marker-cluster, .leaflet-marker-icon"),
    "folium.Marker + Popup in MarkerCluster": (build_markers, ".marker-cluster, .leaflet-marker-icon"),
}


def draw_ms(browser, url: str, selector: str, timeout_ms: float = 120_000) -> float:
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    try:
        page.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url
                   else route.abort())
        page.goto(url, wait_until="commit")
        page.wait_for_selector(selector, timeout=timeout_ms, state="attached")
        return float(page.evaluate("() => performance.now()"))
    finally:
        page.close()


def fmt(values: list[float], unit: str, digits: int = 2) -> str:
    med = statistics.median(values)
    return f"{med:.{digits}f} {unit} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def bench_app(rows: int, repeats: int) -> None:
    """The real Map page under AppTest: a synthetic ACLED export (bench/gen_acled.py) imported
    into a fresh SQLite store with the real CLI, then app.py run, rerun (nothing changed), a map
    click (shows the record), and a filter change (new events → new payload), each timed."""
    import itertools
    import json
    import os
    import re
    import subprocess
    import tempfile

    from streamlit.testing.v1 import AppTest

    tmp = Path(tempfile.mkdtemp(prefix="conflictmap-bench-app-"))
    csv = tmp / "acled.csv"
    env = {"CONFLICTMAP_DB_URL": f"sqlite:///{tmp / 'events.sqlite'}",
           "CONFLICTMAP_ARTICLES_DIR": str(tmp / "articles"),
           "CONFLICTMAP_CACHE_DIR": str(tmp / "cache"), "CONFLICTMAP_TILES": "none",
           "CONFLICTMAP_ALLOW_NETWORK": "0"}
    (tmp / "articles").mkdir()
    os.environ.update(env)
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen_acled.py"), "--rows", str(rows),
                    "--out", str(csv)], check=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "conflictmap", "import", "acled", str(csv)], check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL)
    print(f"imported {rows:,} ACLED rows in {time.perf_counter() - start:.1f} s")

    def component(at: AppTest) -> dict:
        comps = [c for c in at.get("component_instance")
                 if c.proto.component_name == "streamlit_folium.st_folium"]
        return {"bytes": len(comps[0].proto.json_args), "args": json.loads(comps[0].proto.json_args)}

    def timed(at: AppTest) -> float:
        begin = time.perf_counter()
        at.run(timeout=300)
        assert not at.exception, [e.value for e in at.exception]
        return time.perf_counter() - begin

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    first = timed(at)
    sent = component(at)["bytes"]
    reruns = [timed(at) for _ in range(repeats)]
    script = component(at)["args"]["script"]
    blob = max(re.findall(r"[A-Za-z0-9+/]{64,}={0,2}", script), key=len)
    some_id = mapview.decode_payload(blob)[0]["ids"][0]
    clicks = []
    for i in range(repeats):
        at.session_state["event_map"] = {"last_object_clicked_popup": f"x{i} ID: {some_id}"}
        clicks.append(timed(at))
    # Each a filter not seen before (five of the six types): filter, encode, send.
    subsets = list(itertools.combinations(sorted(mapview.EVENT_TYPE_COLORS), 5))
    filters = []
    for i in range(min(repeats, len(subsets))):
        at.sidebar.multiselect(key="flt_types").set_value(list(subsets[i]))
        filters.append(timed(at))
    print(f"| Map page, {rows:,} events | first run {first:.2f} s | rerun {fmt(reruns, 's')} | "
          f"map click {fmt(clicks, 's')} | filter change {fmt(filters, 's')} | "
          f"sent {sent / 1e6:.2f} MB |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--markers-max", type=int, default=10_000,
                        help="largest size for the per-event folium.Marker baseline (97 s at 100k)")
    parser.add_argument("--app", type=int, metavar="ROWS",
                        help="time the real Map page (AppTest) over ROWS imported ACLED events")
    args = parser.parse_args()
    if args.app:
        bench_app(args.app, args.repeats)
        return
    mapview.ensure_static_assets()
    print("| method | events | server work, wall | server CPU | sent | Chromium draw |")
    print("|---|---|---|---|---|---|")
    with chromium_browser(Path("/tmp/conflictmap-bench-home")) as browser:
        # Warm-up (imports, first Chromium page) so the first measured size does not pay it.
        warm = build_ours(as_store_frame(synthetic_events(100)))
        st_folium_server_work(warm)
        with page_server({"/": warm.get_root().render().encode("utf-8")}) as base:
            draw_ms(browser, base + "/", "[data-cm-markers]")
        frames = {}
        for n in args.sizes:
            plain = synthetic_events(n)
            frames[n] = (plain, as_store_frame(plain))
        runs = [(n, name) for n in args.sizes for name, (build, _) in METHODS.items()
                if not (build is build_markers and n > args.markers_max)]
        results: dict[tuple[int, str], dict[str, list[float]]] = {
            run: {"server": [], "cpu": [], "draw": [], "sent": []} for run in runs}
        # Round-robin (every size and method once per round): load from other jobs on the
        # machine then hits all of them alike, which keeps the 100k/1k ratio honest.
        for _ in range(args.repeats):
            for n, name in runs:
                build, selector = METHODS[name]
                plain, store_like = frames[n]
                # The baselines' own code expects plain object columns.
                frame = store_like if build in (build_ours, build_ours_cold) else plain
                if build is build_ours:
                    build_ours(frame)  # the "rerun" rows measure a cache hit
                start, start_cpu = time.perf_counter(), time.process_time()
                fmap = build(frame)
                sent = st_folium_server_work(fmap)
                result = results[(n, name)]
                result["server"].append(time.perf_counter() - start)
                result["cpu"].append(time.process_time() - start_cpu)
                result["sent"].append(sent)
                html = fmap.get_root().render().encode("utf-8")
                with page_server({"/": html}) as base:
                    result["draw"].append(draw_ms(browser, base + "/", selector) / 1000)
        for n, name in runs:
            r = results[(n, name)]
            print(f"| {name} | {n:,} | {fmt(r['server'], 's')} | {fmt(r['cpu'], 's')} | "
                  f"{max(r['sent']) / 1e6:.2f} MB | {fmt(r['draw'], 's')} |", flush=True)
        ours = "conflictmap, new filter (encode)"
        if len(args.sizes) > 1:
            small, large = min(args.sizes), max(args.sizes)
            ratios = [b / a for a, b in zip(results[(small, ours)]["draw"],
                                            results[(large, ours)]["draw"], strict=True)]
            print(f"\nours: draw {large:,} / draw {small:,} in the same round: {fmt(ratios, 'x', 2)}")


if __name__ == "__main__":
    main()
