"""A folder of held-out articles (<case>.txt + <case>.json with gold places) → GeoWebNews-style JSONL.

The output has the shape `../shared/benchmarks/score_geoparse.py` and `bench/bench_geoparse.py`
read (`doc_id`, `text`, `language`, `toponyms` with `start`/`end`/`lat`/`lon`), so our own
Swedish and English articles are scored exactly like GeoWebNews. Every whole-word occurrence of a
gold place's text in the body is a gold toponym; a genitive ending ("Sudans", "USA:s",
"Gaza's") stays outside the span, as the recogniser reports it.

    python bench/heldout_to_jsonl.py bench/heldout/geoparse > /tmp/heldout.jsonl
    python ../shared/benchmarks/score_geoparse.py python . /tmp/heldout.jsonl
    python bench/bench_geoparse.py /tmp/heldout.jsonl --errors --misses
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conflictmap.ingest import read_article  # noqa: E402


def gold_spans(body: str, text: str) -> list[tuple[int, int]]:
    """[start, end) of each whole-word occurrence of `text` (a genitive may follow it)."""
    pattern = re.compile(r"(?<![\w-])" + re.escape(text) + r"(?=(?::s|'s|’s|s)?(?![\w]))")
    return [(m.start(), m.end()) for m in pattern.finditer(body)]


def convert(folder: Path) -> list[dict]:
    docs = []
    for txt in sorted(folder.glob("*.txt")):
        gold_file = txt.with_suffix(".json")
        if not gold_file.exists():
            continue
        article = read_article(txt)
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        if not gold.get("places"):
            continue  # a case with gold events only
        toponyms = []
        for place in gold["places"]:
            spans = gold_spans(article.body, place["text"])
            if not spans:
                raise SystemExit(f"{txt.name}: gold place {place['text']!r} does not occur in the body")
            toponyms.extend({"start": s, "end": e, "name": place["text"], "lat": place["lat"],
                             "lon": place["lon"], "type": place.get("kind", ""), "group": "literal"}
                            for s, e in spans)
        toponyms.sort(key=lambda t: t["start"])
        docs.append({"doc_id": txt.stem, "title": article.title, "language": article.language,
                     "text": article.body, "toponyms": toponyms})
    return docs


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: heldout_to_jsonl.py FOLDER", file=sys.stderr)
        return 2
    for doc in convert(Path(argv[0])):
        print(json.dumps(doc, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
