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


# Countries whose place names reach news through Arabic romanisation, where one town has many
# Latin spellings: "Tal Rifaat" / "Tall Rif‘at", "Deir Hafer" / "Dayr Ḩāfir", "Kafr Nabl" /
# "Kafr Nubl", "Maarat al-Numan" / "Ma‘arrat an Nu‘mān".
ARABIC_ROMANISED = frozenset("""SY IQ YE LB JO PS SA EG LY SD TN DZ MA AE OM QA KW BH MR""".split())
_ARTICLE_WORDS = frozenset(ARTICLES) | {"il", "ul"}
_INNER_VOWELS = re.compile(r"(?<!^)[aeiouyw]")
_DOUBLED = re.compile(r"(.)\1+")
SKELETON_PREFIX = "~"  # skeleton keys never equal a real name key


def skeleton_key(key: str) -> str | None:
    """The consonant skeleton of a romanised Arabic name key, or None when too short to trust.

    Articles are dropped, a final -ah/-eh is one letter, q is k, and vowels after a word's
    first letter go (romanisations disagree mostly on vowels and doubled letters):
    "tal rifaat" and "tall rifat" both give "~tl rft".
    """
    words = []
    for w in key.split():
        if w in _ARTICLE_WORDS or not w.isalpha():
            continue
        if len(w) > 3 and w.endswith(("ah", "eh")):
            w = w[:-1]
        w = _DOUBLED.sub(r"\1", _INNER_VOWELS.sub("", w.replace("q", "k")))
        words.append(w)
    letters = sum(len(w) for w in words)
    if not words or letters < (4 if len(words) > 1 else 5):
        return None
    return SKELETON_PREFIX + " ".join(words)
