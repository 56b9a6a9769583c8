"""Deterministic synthetic article sets: (count, seed) in → a folder of .md articles out.

    python bench/gen_articles.py --count 1000 --out /tmp/articles-1k [--seed 3]

The same arguments always write the same bytes. Each article is short news prose in English or
Swedish with front matter, naming one or two real places and a toll, so the pipeline finds places
and codes events; every article differs (a serial number is in the title and the text).
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date, timedelta
from pathlib import Path

PLACES = ("Aleppo", "Mosul", "Kabul", "Idlib", "Homs", "Baghdad", "Kharkiv", "Mogadishu", "Khartoum",
          "Kirkuk", "Raqqa", "Deir ez-Zor", "Afrin", "Kandahar", "Mariupol", "Odesa", "Sanaa", "Aden")
EN = (
    "At least {n} people were killed when a car bomb exploded in {place} on {weekday}, police said. "
    "Report number {serial} from the {place} desk.",
    "Heavy clashes broke out in {place} between government forces and rebels, killing {n} fighters, "
    "activists said in report {serial}.",
    "An air strike hit a market in {place}, killing {n} civilians, according to local officials "
    "(dispatch {serial}).",
)
SV = (
    "Minst {n} personer dödades när en bilbomb exploderade i {place} i går, enligt polisen. "
    "Rapport nummer {serial}.",
    "Hårda strider utbröt i {place} mellan regeringsstyrkor och rebeller, och {n} stridande dödades, "
    "uppger aktivister i rapport {serial}.",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def article_text(serial: int, rng: random.Random) -> str:
    """One article (front matter + body) for this serial number."""
    sv = rng.random() < 0.4
    template = rng.choice(SV if sv else EN)
    place = rng.choice(PLACES)
    day = date(2022, 1, 1) + timedelta(days=rng.randrange(700))
    body = template.format(n=rng.randrange(2, 40), place=place, weekday=rng.choice(WEEKDAYS), serial=serial)
    title = f"{'Rapport' if sv else 'Report'} {serial}: {place}"
    return (f"---\ntitle: \"{title}\"\ndate: {day.isoformat()}\nlanguage: {'sv' if sv else 'en'}\n"
            f"source: Synthetic Wire\n---\n{body}\n")


def generate(folder: Path, count: int, seed: int = 3) -> list[Path]:
    """Write `count` articles into `folder` (created) and return their paths, sorted."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for serial in range(count):
        path = folder / f"article-{serial:06d}.md"
        path.write_text(article_text(serial, rng), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    generate(args.out, args.count, args.seed)
    print(f"wrote {args.count} articles to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
