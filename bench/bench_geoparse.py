"""Benchmark the geoparser in-process on a gold corpus (GeoWebNews JSONL) → P/R/F1, acc@161, docs/s.

Same scoring as ../shared/benchmarks/score_geoparse.py (a predicted span overlapping a gold span is
a hit; acc@161 over hits), but calls `find_mentions` + `resolve_places` directly, so it measures
the geoparser alone, without process start-up or event coding. Texts are read from the corpus
file at run time and never written into the repository.

Usage: python bench/bench_geoparse.py ../shared/benchmarks/geowebnews/geowebnews.jsonl
       [--limit N] [--errors] [--misses]
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conflictmap.gazetteer import load_gazetteer  # noqa: E402
from conflictmap.geocode import resolve_places  # noqa: E402
from conflictmap.geocode.resolve import km_between  # noqa: E402
from conflictmap.geoparse import find_mentions  # noqa: E402
from conflictmap.models import Article  # noqa: E402


def main(argv: list[str]) -> int:
    corpus = Path(argv[0])
    limit = int(argv[argv.index("--limit") + 1]) if "--limit" in argv else None
    docs = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    if limit:
        docs = docs[:limit]
    t_load = time.perf_counter()
    gaz = load_gazetteer()
    t_load = time.perf_counter() - t_load
    t0 = time.perf_counter()
    c0 = time.process_time()  # CPU time: robust when other jobs load the machine
    outs = []
    for d in docs:
        art = Article(title="", body=d["text"], language=d.get("language", "en"))
        outs.append(resolve_places(art, find_mentions(art, gaz)))
    secs = time.perf_counter() - t0
    cpu = time.process_time() - c0
    gold_n = pred_n = tp = 0
    errs: list[float] = []
    fps: Counter[str] = Counter()
    fns: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for d, places in zip(docs, outs, strict=True):
        text = d["text"]
        preds = [p for p in places if p.candidate is not None]
        gold_n += len(d["toponyms"])
        pred_n += len(preds)
        used: set[int] = set()
        for g in d["toponyms"]:
            hit = False
            for j, p in enumerate(preds):
                m = p.mention
                if j in used or m.end <= g["start"] or m.start >= g["end"]:
                    continue
                used.add(j)
                tp += 1
                e = km_between(p.candidate.lat, p.candidate.lon, g["lat"], g["lon"])
                errs.append(e)
                if e >= 161:
                    wrong[f"{m.text} -> {p.candidate.name},{p.candidate.country_code} "
                          f"({p.candidate.feature}) gold {g['lat']:.1f},{g['lon']:.1f} {e:.0f}km"] += 1
                hit = True
                break
            if not hit:
                fns[text[g["start"]:g["end"]] + f" [{g['type']}]"] += 1
        for j, p in enumerate(preds):
            if j not in used:
                fps[f"{p.mention.text} -> {p.candidate.name},{p.candidate.country_code}"] += 1
    prec = tp / pred_n if pred_n else 0.0
    rec = tp / gold_n if gold_n else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    acc = sum(e < 161 for e in errs) / len(errs) if errs else 0.0
    mean = sum(errs) / len(errs) if errs else 0.0
    auc = sum(math.log(1 + e) for e in errs) / len(errs) / math.log(20039) if errs else 1.0
    print(f"docs={len(docs)} P={prec:.3f} R={rec:.3f} F1={f1:.3f} acc161={acc:.3f} "
          f"e2e_acc161={rec * acc:.3f} mean_km={mean:.0f} AUC={auc:.3f} "
          f"docs_per_s={len(docs) / secs:.0f} docs_per_cpu_s={len(docs) / cpu:.0f} "
          f"gazetteer_open_s={t_load:.3f}")
    if "--errors" in argv:
        print("\n# wrongly resolved (>=161 km)")
        for k, v in wrong.most_common(int(argv[argv.index("--top") + 1]) if "--top" in argv else 40):
            print(v, k)
    if "--misses" in argv:
        print("\n# false positives")
        for k, v in fps.most_common(int(argv[argv.index("--top") + 1]) if "--top" in argv else 40):
            print(v, k)
        print("\n# missed gold toponyms")
        for k, v in fns.most_common(int(argv[argv.index("--top") + 1]) if "--top" in argv else 50):
            print(v, k)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
