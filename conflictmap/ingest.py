"""Ingest: a file, an upload or a paste in → an `Article` out (front matter, encoding, language).

Everything a user can hand us goes through `read_article_bytes` or `parse_article_text`, so bad
input (empty, binary, huge, mis-encoded, broken front matter) gets the same clear one-line
`InputError` everywhere: CLI, upload page and paste box.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

import yaml

from conflictmap import settings
from conflictmap.errors import InputError
from conflictmap.models import Article

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
_HTML_SUFFIXES = (".html", ".htm")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FRONT_MATTER_KEYS = {"title", "date", "language", "lang", "source", "url", "link"}

# Short, frequent function words: enough to tell the languages we code apart from each other.
_STOPWORDS: dict[str, frozenset[str]] = {
    "sv": frozenset(
        "och att det som en på är av för med till den har de inte om ett han hon var vid från "
        "efter enligt under även när där sina sig också kan skulle har hade dödades minst".split()
    ),
    "en": frozenset(
        "the and of to in a is that for on was with as by at from it an be were has have "
        "are said after killed least their they this which".split()
    ),
    "de": frozenset("der die das und ist nicht mit von zu den auf für sich dem des ein eine".split()),
    "fr": frozenset("le la les et des est une dans pour que qui sur du au pas avec par".split()),
    "es": frozenset("el la los las y de que en un una por con para del se al fue".split()),
}


class _FrontMatterLoader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay strings so we can say what is wrong."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def max_input_bytes() -> int:
    """Largest article file accepted (setting CONFLICTMAP_MAX_UPLOAD_MB)."""
    return int(settings.get_float("CONFLICTMAP_MAX_UPLOAD_MB") * 1024 * 1024)


def detect_language(text: str) -> str:
    """ISO 639-1 code of the language with most stopword hits, "und" when nothing is clear."""
    counts = dict.fromkeys(_STOPWORDS, 0)
    for i, match in enumerate(_WORD.finditer(text)):
        if i >= 2000:  # the first couple of thousand words decide; no need to read a book
            break
        word = match.group().lower()
        for lang, words in _STOPWORDS.items():
            if word in words:
                counts[lang] += 1
    best = max(counts, key=lambda lang: counts[lang])
    return best if counts[best] >= 3 else "und"


def decode_text(data: bytes, *, name: str) -> str:
    """Bytes → str: BOMs first, then strict UTF-8, then the best guess; binary is refused."""
    if not data.strip():
        raise InputError(name, "the file is empty")
    if len(data) > max_input_bytes():
        limit_mb = max_input_bytes() / (1024 * 1024)
        raise InputError(
            name,
            f"the file is {len(data) / (1024 * 1024):.1f} MB, larger than the {limit_mb:g} MB limit "
            "(setting CONFLICTMAP_MAX_UPLOAD_MB)",
        )
    # UTF-32 first: its little-endian BOM (FF FE 00 00) begins with UTF-16's (FF FE).
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return _refuse_binary(data.decode(encoding), name)
            except UnicodeDecodeError:
                raise InputError(name, f"the file starts with a {encoding} byte-order mark but is "
                                       "not valid in that encoding") from None
    if b"\x00" in data[:8192]:
        raise InputError(name, "this looks like a binary file, not text (it contains NUL bytes)")
    try:
        return _refuse_binary(data.decode("utf-8"), name)
    except UnicodeDecodeError:
        pass
    # A UTF-8 file with a stray or truncated byte is still UTF-8: when valid multi-byte sequences
    # outnumber the broken bytes, keep UTF-8 and mark the broken bytes (U+FFFD) instead of
    # turning every å into mojibake.
    valid_multibyte = len(_UTF8_MULTIBYTE.findall(data))
    if valid_multibyte:
        replaced = data.decode("utf-8", errors="replace")
        broken = replaced.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
        if broken <= valid_multibyte:
            return _refuse_binary(replaced, name)
    # Not UTF-8: old Windows/Latin-1 exports are the common case for Western newsrooms, and
    # charset-normalizer misreads short Swedish text as other code pages. So cp1252 first, kept
    # when the text reads as mostly ASCII letters with some accents; otherwise ask the detector
    # (Cyrillic cp1251, Arabic cp1256, ... decoded as cp1252 are nearly all accented letters).
    text = data.decode("cp1252", errors="replace")
    letters = [ch for ch in text[:20_000] if ch.isalpha()]
    accented = sum(1 for ch in letters if ord(ch) > 127)
    if letters and accented / len(letters) < 0.3 and text.count("\ufffd") <= len(text) // 1000:
        return _refuse_binary(text, name)
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    try:
        text = data.decode(best.encoding if best is not None else "latin-1")
    except (UnicodeDecodeError, LookupError):
        text = data.decode("latin-1")
    return _refuse_binary(text, name)


def _refuse_binary(text: str, name: str) -> str:
    sample = text[:20_000]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    if sample and control / len(sample) > 0.05:
        raise InputError(name, "this looks like a binary file, not text (too many control characters)")
    return text


def _parse_date(value: object, name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise InputError(name, f"front matter date {text[:40]!r} is not a valid YYYY-MM-DD date") from None


def split_front_matter(text: str, *, name: str) -> tuple[dict[str, object], str]:
    """Separate YAML front matter (between `---` lines) from the body; no front matter → {}."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.load(match.group(1), Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        raise InputError(name, f"the front matter is not valid YAML{where}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InputError(name, "the front matter must be 'key: value' lines (title, date, language, source, url)")
    known: dict[str, object] = {}
    for key, value in meta.items():
        key_text = str(key).lower() if isinstance(key, str | int | float | bool) else ""
        if key_text not in _FRONT_MATTER_KEYS:
            continue
        # Only plain values: a nested mapping or list is a mistake, and str() of YAML aliases
        # nested inside one another would expand a "billion laughs" bomb.
        if value is not None and not isinstance(value, str | int | float | date):
            raise InputError(name, f"front matter '{key_text}' must be plain text, not a list or mapping")
        known[key_text] = value
    return known, text[match.end():]


def _clean_url(value: object) -> str | None:
    url = str(value).strip() if value is not None else ""
    # Only web links are kept: a `javascript:` or `file:` URL from an article must never become a link.
    return url if re.match(r"^https?://[^\s<>\"']+$", url, re.IGNORECASE) else None


def _title_from_name(name: str) -> str:
    stem = Path(name).stem
    return re.sub(r"[-_]+", " ", stem).strip() or "Untitled article"


def html_to_text(markup: str) -> tuple[str, str | None]:
    """Readable text and title of an HTML page (trafilatura; tag stripping as the fallback)."""
    title_match = re.search(r"<title[^>]*>(.*?)</title>", markup, re.IGNORECASE | re.DOTALL)
    title = html.unescape(re.sub(r"\s+", " ", title_match.group(1))).strip() if title_match else None
    text: str | None = None
    try:
        import trafilatura

        text = trafilatura.extract(markup, include_comments=False, include_tables=False)
    except Exception:  # noqa: BLE001 - a third-party parser failing on hostile HTML must not stop ingest
        text = None
    if not text:
        stripped = re.sub(r"(?is)<(script|style)[^>]*>.*?</\1>", " ", markup)
        stripped = re.sub(r"(?s)<[^>]+>", " ", stripped)
        text = re.sub(r"[ \t]+", " ", html.unescape(stripped))
        text = re.sub(r"\n\s*\n+", "\n\n", text).strip()
    return text, title or None


def parse_article_text(
    text: str,
    *,
    name: str,
    date: date | None = None,
    language: str | None = None,
    title: str | None = None,
    source: str | None = None,
    url: str | None = None,
    is_html: bool = False,
) -> Article:
    """Text (with optional front matter) → Article. Explicit arguments win over front matter.

    name: where the text came from (file name, "pasted text"), used in messages and as the
    fallback title. Offsets of later stages point into `Article.body` (text after front matter).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body = split_front_matter(text, name=name)
    html_title = None
    if is_html:
        body, html_title = html_to_text(body)
    if not body.strip():
        raise InputError(name, "the article has no text (only front matter or white space)")
    meta_date = _parse_date(meta["date"], name) if meta.get("date") not in (None, "") else None
    lang = language or str(meta.get("language") or meta.get("lang") or "").strip().lower()
    if not lang or lang == "auto":
        lang = detect_language(body)
    final_title = title or str(meta.get("title") or "").strip() or html_title or _title_from_name(name)
    return Article(
        title=final_title[:500],
        body=body,
        date=date or meta_date,
        language=lang[:8],
        source=(source or str(meta.get("source") or "").strip())[:200],
        url=_clean_url(url or meta.get("url") or meta.get("link")),
        path=name,
    )


def read_article_bytes(data: bytes, *, name: str, **overrides: object) -> Article:
    """Uploaded or read bytes → Article; HTML is recognised by content, not by the file name."""
    text = decode_text(data, name=name)
    head = text.lstrip()[:1000].lower()
    is_html = head.startswith(("<!doctype html", "<html")) or (
        Path(name).suffix.lower() in _HTML_SUFFIXES and "<" in head
    )
    return parse_article_text(text, name=name, is_html=is_html, **overrides)  # type: ignore[arg-type]


def read_article(path: Path, **overrides: object) -> Article:
    """An article file → Article, with a one-line InputError for anything unreadable."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_input_bytes():
            limit_mb = max_input_bytes() / (1024 * 1024)
            raise InputError(name, f"the file is {size / (1024 * 1024):.1f} MB, larger than the "
                                   f"{limit_mb:g} MB limit (setting CONFLICTMAP_MAX_UPLOAD_MB)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except IsADirectoryError:
        raise InputError(name, "this is a folder, not a file") from None
    except PermissionError:
        raise InputError(name, "permission denied") from None
    except OSError as err:  # symlink loops, I/O errors, names too long, ...
        raise InputError(name, f"cannot be read: {err.strerror or type(err).__name__}") from None
    return read_article_bytes(data, name=name, **overrides)


def iter_article_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named directly, and article files (.txt .md .html) inside folders, sorted."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)
        else:
            yield path
