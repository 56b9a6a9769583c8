"""Date expressions: a sentence and the article's date in → DateMention (date, ACLED time_precision) out.

Swedish and English relative phrases ("tidigt på torsdagsmorgonen", "i går kväll", "för tre år
sedan", "last October", "a few days ago") are resolved against the article date; absolute dates
("i oktober 2019", "3 February 2022") need no article date. Without an article date, relative
phrases resolve to nothing: an event stays undated rather than invented.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from conflictmap.events.matcher import WordMatcher
from conflictmap.models import TIME_PRECISION_DAY, TIME_PRECISION_MONTH, TIME_PRECISION_WEEK


@dataclass(frozen=True)
class DateMention:
    """A date expression found in text: offsets, the date it means, and how precise it is."""

    start: int
    end: int
    text: str
    date: date | None  # None when it is relative and the article date is unknown
    precision: int
    relative: bool


_SV_DAYS = ("mån", "tis", "ons", "tors", "fre", "lör", "sön")
_EN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SV_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
              "oktober", "november", "december")
_EN_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
              "october", "november", "december")
_MONTHS = {m: i + 1 for i, m in enumerate(_SV_MONTHS)} | {m: i + 1 for i, m in enumerate(_EN_MONTHS)}
_MONTHS |= {m[:3]: i + 1 for i, m in enumerate(_EN_MONTHS) if m != "may"} | {"sept": 9}
_NUMBER_WORDS = {
    "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7, "åtta": 8, "nio": 9,
    "tio": 10, "elva": 11, "tolv": 12, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
_FEW = r"(?:några|ett par|flera|par|a few|several|a couple of|few)"
_NUM = r"(?:\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_SV_DAY_RE = "|".join(_SV_DAYS)
_EN_DAY_RE = "|".join(_EN_DAYS)

# One alternation, tried left to right: longer, more specific phrases first.
_PATTERN = re.compile(
    r"""
    (?P<iso>\b(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})\b)
  | (?P<dmy>\b(?:den\s+)?(?P<d1>\d{1,2})(?:\.|:e|:a|st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>""" + _MONTH_RE + r""")\.?(?:,?\s+(?P<y1>\d{4}))?\b)
  | (?P<mdy>\b(?P<m2>""" + _MONTH_RE + r""")\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y2>\d{4}))?\b)
  | (?P<monthyear>\b(?P<m3>""" + _MONTH_RE + r""")\s+(?P<y3>\d{4})\b)
  | (?P<lastmonthname>\b(?:last|i|förra|in)\s+(?P<m4>""" + _MONTH_RE + r""")(?:\s+(?P<y4>\d{4}))?\b)
  | (?P<fewdays>\b(?:bara\s+|only\s+|just\s+)?""" + _FEW + r"""\s+(?:dagar|days)\s+(?:efter|after|sedan|ago|tidigare|earlier|before|innan)\b)
  | (?P<ago>\b(?:för\s+)?(?P<n>""" + _NUM + r""")\s+(?P<unit>dag|dagar|vecka|veckor|månad|månader|år|day|days|week|weeks|month|months|year|years)\s+(?:sedan|ago)\b)
  | (?P<svdaypart>\b(?:(?:tidigt|sent)\s+)?(?:på\s+|i\s+|under\s+|natten\s+till\s+|natten\s+mot\s+)?(?P<svday>""" + _SV_DAY_RE + r""")dag(?:s?(?:morgon|kväll|natt|eftermiddag|förmiddag)(?:en)?|en|s)?\b)
  | (?P<endaypart>\b(?:(?:early|late)\s+)?(?:on\s+|last\s+|this\s+)?(?P<enday>""" + _EN_DAY_RE + r""")\b(?:\s+(?:morning|night|evening|afternoon))?)
  | (?P<yesterday>\b(?:i\s*går|igår|yesterday|i\s+förrgår|the\s+day\s+before\s+yesterday|last\s+night)(?:\s+(?:kväll|morse|natt|eftermiddag|morning|evening|afternoon|night))?\b)
  | (?P<today>\b(?:i\s*dag|idag|i\s+morse|i\s+natt|i\s+kväll|today|this\s+morning|tonight|overnight|earlier\s+today|tidigare\s+i\s+dag)\b)
  | (?P<lastweek>\b(?:förra\s+veckan|i\s+förra\s+veckan|last\s+week|earlier\s+this\s+week|tidigare\s+i\s+veckan|i\s+veckan|this\s+week|i\s+helgen|over\s+the\s+weekend|this\s+weekend|last\s+weekend)\b)
  | (?P<lastmonth>\b(?:förra\s+månaden|last\s+month|earlier\s+this\s+month|tidigare\s+i\s+månaden|this\s+month)\b)
    """,
    re.IGNORECASE | re.VERBOSE,
)


def _number(token: str) -> int:
    token = token.lower()
    return int(token) if token.isdigit() else _NUMBER_WORDS.get(token, 0)


def _mid_month(year: int, month: int, ref: date | None) -> date:
    """ACLED codes month-precision events to mid-month; never after the article date."""
    day = date(year, month, 15)
    if ref is not None and ref.year == year and ref.month == month and ref < day:
        return ref
    return day


def _safe_date(year: int, month: int, day: int) -> date | None:
    if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]:
        return date(year, month, day)
    return None


def _weekday_on_or_before(ref: date, weekday: int, strictly_before: bool = False) -> date:
    back = (ref.weekday() - weekday) % 7
    if back == 0 and strictly_before:
        back = 7
    return ref - timedelta(days=back)


def _year_for(month: int, day: int, ref: date | None) -> int | None:
    """Year of a day-month date without a year: the article's year, or the year before if later."""
    if ref is None:
        return None
    year = ref.year
    candidate = _safe_date(year, month, day)
    if candidate is not None and candidate > ref + timedelta(days=1):
        year -= 1
    return year


def _resolve(m: re.Match[str], ref: date | None) -> tuple[date | None, int, bool] | None:
    kind = m.lastgroup
    g = m.group
    # lastgroup is the innermost named group that matched last; find the outer alternative instead.
    for outer in ("iso", "dmy", "mdy", "monthyear", "lastmonthname", "fewdays", "ago", "svdaypart",
                  "endaypart", "yesterday", "today", "lastweek", "lastmonth"):
        if g(outer):
            kind = outer
            break
    text = m.group(0).lower()
    if kind == "iso":
        d = _safe_date(int(g("iy")), int(g("im")), int(g("id")))
        return (d, TIME_PRECISION_DAY, False) if d else None
    if kind in ("dmy", "mdy"):
        day = int(g("d1") or g("d2"))
        month = _MONTHS[(g("m1") or g("m2")).lower()]
        year_s = g("y1") or g("y2")
        if year_s:
            d = _safe_date(int(year_s), month, day)
            return (d, TIME_PRECISION_DAY, False) if d else None
        year = _year_for(month, day, ref)
        if year is None:
            return (None, TIME_PRECISION_DAY, True)
        d = _safe_date(year, month, day)
        return (d, TIME_PRECISION_DAY, True) if d else None
    if kind == "monthyear":
        year, month = int(g("y3")), _MONTHS[g("m3").lower()]
        return (_mid_month(year, month, ref), TIME_PRECISION_MONTH, False)
    if kind == "lastmonthname":
        month_word = g("m4").lower()
        if g("y4"):
            return (_mid_month(int(g("y4")), _MONTHS[month_word], ref), TIME_PRECISION_MONTH, False)
        if month_word in ("may", "mar", "jan", "feb", "apr", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
                          "sept") and not text.startswith("last"):
            return None  # "in may", "i mar": too ambiguous without "last"
        month = _MONTHS[month_word]
        if ref is None:
            return (None, TIME_PRECISION_MONTH, True)
        year = ref.year if (month < ref.month or (month == ref.month and not text.startswith("last"))) \
            else ref.year - 1
        return (_mid_month(year, month, ref), TIME_PRECISION_MONTH, True)
    if ref is None:
        return (None, TIME_PRECISION_DAY, True)
    if kind == "fewdays":
        if re.search(r"\b(?:senare|later)\b", text):
            return None
        return (ref - timedelta(days=3), TIME_PRECISION_WEEK, True)
    if kind == "ago":
        n = _number(g("n"))
        unit = g("unit").lower()
        if not n:
            return None
        if unit.startswith(("dag", "day")):
            return (ref - timedelta(days=n), TIME_PRECISION_DAY, True)
        if unit.startswith(("veck", "week")):
            return (ref - timedelta(weeks=n), TIME_PRECISION_WEEK, True)
        if unit.startswith(("månad", "month")):
            months = ref.year * 12 + ref.month - 1 - n
            return (_mid_month(months // 12, months % 12 + 1, None), TIME_PRECISION_MONTH, True)
        return (_mid_month(ref.year - n, ref.month, None), TIME_PRECISION_MONTH, True)
    if kind == "svdaypart":
        weekday = _SV_DAYS.index(g("svday").lower())
        # "i torsdags" = last Thursday, never today; "på torsdagen" = the most recent Thursday.
        strictly = text.startswith("i ") and text.endswith("dags")
        return (_weekday_on_or_before(ref, weekday, strictly), TIME_PRECISION_DAY, True)
    if kind == "endaypart":
        weekday = _EN_DAYS.index(g("enday").lower())
        strictly = "last " in text
        return (_weekday_on_or_before(ref, weekday, strictly), TIME_PRECISION_DAY, True)
    if kind == "yesterday":
        back = 2 if ("förrgår" in text or "before yesterday" in text) else 1
        return (ref - timedelta(days=back), TIME_PRECISION_DAY, True)
    if kind == "today":
        return (ref, TIME_PRECISION_DAY, True)
    if kind == "lastweek":
        if text.startswith(("förra", "i förra", "last week", "last weekend")):
            return (ref - timedelta(days=7), TIME_PRECISION_WEEK, True)
        if "helg" in text or "weekend" in text:
            return (_weekday_on_or_before(ref, 5), TIME_PRECISION_WEEK, True)
        return (ref - timedelta(days=2), TIME_PRECISION_WEEK, True)
    if kind == "lastmonth":
        if text.startswith(("förra", "last")):
            months = ref.year * 12 + ref.month - 2
            return (_mid_month(months // 12, months % 12 + 1, None), TIME_PRECISION_MONTH, True)
        return (_mid_month(ref.year, ref.month, ref), TIME_PRECISION_MONTH, True)
    return None


# Words one of which every date expression contains: a cheap one-pass test that lets most
# sentences skip the big regular expression (the slowest step of event coding otherwise).
_CUE_WORDS = (
    [f"{d}dag*" for d in _SV_DAYS] + [f"{d}*" for d in _EN_DAYS] + [f"{m}*" for m in _MONTHS]
    + [f"{n}*" for n in "0123456789"]
    + ["går", "igår", "förrgår", "idag", "dag", "dagar", "morse", "natt", "kväll", "veckan", "veckor", "vecka",
       "månaden", "månader", "månad", "år", "helgen", "yesterday", "today", "tonight", "overnight", "night",
       "morning", "week", "weeks", "weekend", "month", "months", "year", "years", "days", "day", "ago",
       "sedan"]
)
_CUES: WordMatcher[None] = WordMatcher((w, None) for w in _CUE_WORDS)


def find_dates(text: str, article_date: date | None, offset: int = 0) -> list[DateMention]:
    """Every date expression in `text`, resolved against `article_date`; offsets shifted by `offset`.

    >>> [d.date.isoformat() for d in find_dates("tidigt på torsdagsmorgonen", date(2022, 2, 3))]
    ['2022-02-03']
    """
    out: list[DateMention] = []
    if not _CUES.find(text):
        return out
    for m in _PATTERN.finditer(text):
        resolved = _resolve(m, article_date)
        if resolved is None:
            continue
        when, precision, relative = resolved
        out.append(DateMention(offset + m.start(), offset + m.end(), m.group(0), when, precision, relative))
    return out
