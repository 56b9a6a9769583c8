"""Shared by the tests and bench/bench_map.py: a plain events frame in the store's dtypes."""

from __future__ import annotations

import pandas as pd


def as_store_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The dtypes Store.events_frame() returns: categoricals for repeated text, str for unique."""
    out = frame.copy()
    for name in out.columns:
        if name in ("event_id", "evidence"):
            out[name] = out[name].astype("str")
        elif out[name].dtype == object or isinstance(out[name].dtype, pd.StringDtype):
            out[name] = out[name].astype("category")
    return out
