"""Deterministic synthetic ACLED export (the 31 post-2023 columns) for benchmarks and tests.

    python bench/gen_acled.py --rows 1000000 --out /tmp/acled-1m.csv [--seed 7] [--bad 0]

The same arguments always write the same bytes. Values look like ACLED's: real event type /
sub-type pairs, a few thousand actors and places in a dozen countries, notes of ~250 characters,
numeric iso and inter codes. --bad N replaces N rows (spread evenly) with impossible values
(latitude 200, date 2022-13-45, fatalities "many", unknown event type, duplicate id).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)
TYPES = (
    ("Battles", "Armed clash", "Political violence"),
    ("Battles", "Government regains territory", "Political violence"),
    ("Explosions/Remote violence", "Air/drone strike", "Political violence"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", "Political violence"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED", "Political violence"),
    ("Violence against civilians", "Attack", "Political violence"),
    ("Violence against civilians", "Abduction/forced disappearance", "Political violence"),
    ("Protests", "Peaceful protest", "Demonstrations"),
    ("Protests", "Protest with intervention", "Demonstrations"),
    ("Riots", "Violent demonstration", "Demonstrations"),
    ("Strategic developments", "Arrests", "Strategic developments"),
    ("Strategic developments", "Looting/property destruction", "Strategic developments"),
)
# (country, numeric iso, region, lat, lon)
COUNTRIES = (
    ("Syria", 760, "Middle East", 35.0, 38.5), ("Iraq", 368, "Middle East", 33.0, 44.0),
    ("Yemen", 887, "Middle East", 15.5, 47.5), ("Ukraine", 804, "Europe", 49.0, 32.0),
    ("Sudan", 729, "Northern Africa", 15.0, 30.0), ("Somalia", 706, "Eastern Africa", 5.0, 46.0),
    ("Nigeria", 566, "Western Africa", 9.0, 8.0), ("Mali", 466, "Western Africa", 17.0, -4.0),
    ("Myanmar", 104, "Southeast Asia", 21.0, 96.0), ("Afghanistan", 4, "Caspian", 34.0, 66.0),
    ("Mexico", 484, "Central America", 23.0, -102.0),
    ("Democratic Republic of Congo", 180, "Middle Africa", -2.5, 23.5),
)
WORDS = ("forces", "clashed", "with", "fighters", "near", "the", "village", "of", "reportedly",
         "killing", "civilians", "after", "shelling", "on", "a", "market", "in", "town", "district",
         "militia", "members", "attacked", "police", "checkpoint", "protesters", "gathered", "to",
         "demand", "release", "detained", "activists", "drone", "strike", "targeted", "vehicle")


def generate(rows: int, seed: int = 7, bad: int = 0) -> pd.DataFrame:
    """The synthetic export as a frame of strings (ACLED column order)."""
    rng = np.random.default_rng(seed)
    n = rows
    t = rng.integers(0, len(TYPES), n)
    c = rng.integers(0, len(COUNTRIES), n)
    place = rng.integers(0, 400, n)  # 400 places per country → 4,800 locations
    actor_a = rng.integers(0, 300, n)
    actor_b = rng.integers(0, 300, n)
    days = rng.integers(0, 365 * 6, n)
    dates = pd.Timestamp("2018-01-01") + pd.to_timedelta(days, unit="D")
    country = np.array([x[0] for x in COUNTRIES], dtype=object)[c]
    iso = np.array([str(x[1]) for x in COUNTRIES], dtype=object)[c]
    region = np.array([x[2] for x in COUNTRIES], dtype=object)[c]
    # Places sit at fixed offsets from the country's centre, so a location always has one point.
    p_lat = np.round(np.array([x[3] for x in COUNTRIES])[c] + ((place * 37) % 400) / 100 - 2, 4)
    p_lon = np.round(np.array([x[4] for x in COUNTRIES])[c] + ((place * 53) % 400) / 100 - 2, 4)
    ev_type = np.array([x[0] for x in TYPES], dtype=object)[t]
    sub = np.array([x[1] for x in TYPES], dtype=object)[t]
    disorder = np.array([x[2] for x in TYPES], dtype=object)[t]
    inter1 = rng.integers(1, 9, n)
    inter2 = rng.integers(0, 9, n)
    lo, hi = np.minimum(inter1, inter2), np.maximum(inter1, inter2)
    interaction = np.where(inter2 == 0, inter1 * 10, lo * 10 + hi)
    words = np.array(WORDS, dtype=object)
    # ~250-character notes from a fixed vocabulary: 36 words, built column-wise for speed.
    picks = rng.integers(0, len(words), (n, 36))
    notes = pd.Series(words[picks[:, 0]])
    for k in range(1, 36):
        notes = notes + " " + words[picks[:, k]]
    admin1 = pd.Series(country).str.slice(0, 3) + " Province " + (place % 12).astype(str)
    location = pd.Series(country).str.slice(0, 3) + "-town-" + place.astype(str)
    a1 = pd.Series(country).str.slice(0, 3) + " Group " + actor_a.astype(str)
    a2 = pd.Series(country).str.slice(0, 3) + " Militia " + actor_b.astype(str)
    fatalities = np.where(rng.random(n) < 0.6, 0, rng.integers(1, 40, n))
    frame = pd.DataFrame({
        "event_id_cnty": pd.Series(iso).str.cat(pd.Series(np.arange(1, n + 1)).astype(str), sep="X"),
        "event_date": dates.strftime("%Y-%m-%d"),
        "year": dates.year.astype(str),
        "time_precision": rng.choice(["1", "1", "1", "2", "3"], n),
        "disorder_type": disorder,
        "event_type": ev_type,
        "sub_event_type": sub,
        "actor1": a1,
        "assoc_actor_1": np.where(rng.random(n) < 0.2, "Civilians (" + pd.Series(country) + ")", ""),
        "inter1": inter1.astype(str),
        "actor2": np.where(inter2 == 0, "", a2),
        "assoc_actor_2": "",
        "inter2": np.where(inter2 == 0, "", inter2.astype(str)),
        "interaction": interaction.astype(str),
        "civilian_targeting": np.where(ev_type == "Violence against civilians", "Civilian targeting", ""),
        "iso": iso,
        "region": region,
        "country": country,
        "admin1": admin1,
        "admin2": "",
        "admin3": "",
        "location": location,
        "latitude": p_lat.astype(str),
        "longitude": p_lon.astype(str),
        "geo_precision": rng.choice(["1", "1", "2", "3"], n),
        "source": rng.choice(["Reuters", "AFP", "Sveriges Radio", "Local media; Reuters"], n),
        "source_scale": "National",
        "notes": notes,
        "fatalities": fatalities.astype(str),
        "tags": "",
        "timestamp": "1700000000",
    })
    if bad and n:
        kinds = (("latitude", "200"), ("event_date", "2022-13-45"), ("fatalities", "many"),
                 ("event_type", "Alien invasion"), ("event_id_cnty", None))
        for k, pos in enumerate(np.linspace(1, n - 1, bad).astype(int)):
            col, value = kinds[k % len(kinds)]
            frame.loc[pos, col] = frame.loc[pos - 1, "event_id_cnty"] if value is None else value
    return frame[list(ACLED_COLUMNS)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bad", type=int, default=0, help="rows with impossible values")
    parser.add_argument("--delimiter", default=",", choices=[",", ";"])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    frame = generate(args.rows, args.seed, args.bad)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out, index=False, sep=args.delimiter, lineterminator="\n")
    print(f"wrote {len(frame)} rows to {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
