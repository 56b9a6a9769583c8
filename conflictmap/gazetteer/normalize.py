"""Place-name text → lookup key: one normalisation shared by the index builder and every lookup."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Apostrophe-like marks (ayn/hamza transliterations, typographic quotes) carry no meaning for
# matching: "‘Afrīn", "`Afrin" and "Afrin" must meet on one key.
_DROP = dict.fromkeys(map(ord, "'’‘`´ʿʾʼʻ′\u02bf\u02be."), None)
_SPACE = re.compile(r"[\s\-‐‑‒–—_/]+")
# Letters NFKD does not decompose.
_FOLD = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "ı": "i", "ß": "ss", "æ": "ae", "œ": "oe",
                       "þ": "th", "ð": "d", "ħ": "h"})

# Arabic definite article in its transliterated, sun-letter-assimilated forms: "al-Hasakah",
# "as-Suwayda", "ad-Dana". News writes the same town with and without it.
ARTICLES = ("al", "el", "ad", "ar", "as", "ash", "at", "az", "an", "ad", "ed", "es", "et", "ez", "en")
_ARTICLE_RE = re.compile(r"^(?:{}) (?=\w{{3,}})".format("|".join(sorted(set(ARTICLES), key=len, reverse=True))))


@lru_cache(maxsize=65536)  # the same names recur across an article and a batch
def name_key(name: str) -> str:
    """Casefolded, accent-free, punctuation-light key: "Al-Ḥasakah" → "al hasakah", "U.S." → "us"."""
    s = unicodedata.normalize("NFKD", name.casefold())
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.translate(_FOLD).translate(_DROP)
    return _SPACE.sub(" ", s).strip()


def strip_article(key: str) -> str:
    """The key without a leading Arabic article ("al hasakah" → "hasakah"); unchanged otherwise."""
    return _ARTICLE_RE.sub("", key, count=1)


def is_ascii(text: str) -> bool:
    return all(ord(ch) < 128 for ch in text)
