"""Ingest: every kind of file a user hands us becomes an Article or one clear InputError."""

from __future__ import annotations

import codecs
from datetime import date
from pathlib import Path

import pytest

from conflictmap.errors import InputError
from conflictmap.ingest import detect_language, iter_article_files, read_article, read_article_bytes

SV_BODY = "Minst tre personer dödades när en bil exploderade i staden Mosul, enligt polisen. Det var en attack."
EN_BODY = "At least three people were killed when a car bomb exploded in the city of Mosul, police said."


def test_front_matter_fills_the_article_and_offsets_point_into_the_body() -> None:
    text = f"---\ntitle: Bilbomb i Mosul\ndate: 2023-05-14\nlanguage: sv\nsource: Testbladet\nurl: https://example.org/a\n---\n{SV_BODY}\n"
    art = read_article_bytes(text.encode(), name="a.md")
    assert (art.title, art.date, art.language, art.source, art.url) == (
        "Bilbomb i Mosul", date(2023, 5, 14), "sv", "Testbladet", "https://example.org/a")
    assert art.body.startswith("Minst tre")
    assert art.body[art.body.index("Mosul"):][:5] == "Mosul"


def test_plain_text_without_front_matter_stays_undated_and_detects_language() -> None:
    art = read_article_bytes(EN_BODY.encode(), name="/x/car-bomb-in-mosul.txt")
    assert art.date is None
    assert art.language == "en"
    assert art.title == "car bomb in mosul"


def test_explicit_date_and_language_win_over_front_matter() -> None:
    text = f"---\ndate: 2020-01-01\nlanguage: en\n---\n{SV_BODY}"
    art = read_article_bytes(text.encode(), name="a.md", date=date(2021, 2, 3), language="sv")
    assert (art.date, art.language) == (date(2021, 2, 3), "sv")


def test_same_text_gives_same_id_and_different_text_a_different_one() -> None:
    a = read_article_bytes(SV_BODY.encode(), name="a.txt")
    b = read_article_bytes(SV_BODY.encode(), name="a.txt")
    c = read_article_bytes((SV_BODY + " Mer.").encode(), name="a.txt")
    assert a.id == b.id != c.id


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b"   \n\t\n", "empty"),
        (b"\x00\x01\x02\x03binary\x00" * 50, "binary"),
        (bytes(range(1, 32)) * 200, "binary"),
        (b"---\ntitle: [unclosed\n---\nBody text here.", "not valid YAML"),
        (b"---\n- just\n- a list\n---\nBody text here.", "key: value"),
        (b"---\ntitle: x\ndate: 2022-13-45\n---\nBody text here.", "not a valid YYYY-MM-DD date"),
        (b"---\ntitle: only front matter\n---\n   \n", "no text"),
        (b"---\n!!python/object/apply:os.system ['echo pwned']\n---\nBody", "not valid YAML"),
        (codecs.BOM_UTF8 + b"\xff\xfe\xfa broken", "not valid"),
    ],
)
def test_bad_input_is_one_clear_line_naming_the_file(data: bytes, problem: str) -> None:
    with pytest.raises(InputError) as info:
        read_article_bytes(data, name="bad-input.txt")
    message = str(info.value)
    assert message.startswith("bad-input.txt: ")
    assert problem in message
    assert "\n" not in message


def test_too_big_file_is_refused_with_the_limit_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLICTMAP_MAX_UPLOAD_MB", "1")
    big = tmp_path / "huge.txt"
    big.write_bytes(b"Mosul. " * 200_000)  # 1.4 MB
    with pytest.raises(InputError, match=r"huge.txt: the file is 1.3 MB, larger than the 1 MB limit"):
        read_article(big)


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        ("Räden i Åmål dödade två. Enligt polisen var det en attack.".encode("utf-16"), "Räden i Åmål"),
        ("Räden i Åmål dödade två. Enligt polisen var det en attack.".encode("latin-1"), "Räden i Åmål"),
        ("Räden i Åmål dödade två. Enligt polisen var det en attack.".encode("cp1252"), "Räden i Åmål"),
        (codecs.BOM_UTF8 + "Räden i Åmål dödade två.".encode(), "Räden i Åmål"),
    ],
)
def test_other_encodings_are_read_correctly(encoded: bytes, expected: str) -> None:
    assert read_article_bytes(encoded, name="x.txt").body.startswith(expected)


def test_html_is_reduced_to_text_without_scripts_and_keeps_its_title() -> None:
    page = (b"<!doctype html><html><head><title>Clashes in Tripoli</title><script>alert(1)</script></head>"
            b"<body><article><p>Heavy clashes broke out in Tripoli on Monday between rival militias, "
            b"residents said. At least four people were killed in the fighting near the airport.</p>"
            b"</article></body></html>")
    art = read_article_bytes(page, name="upload.bin")  # recognised by content, not by name
    assert art.title == "Clashes in Tripoli"
    assert "Heavy clashes broke out in Tripoli" in art.body
    assert "alert(1)" not in art.body and "<p>" not in art.body


def test_only_web_links_are_kept_as_article_urls() -> None:
    art = read_article_bytes(f"---\nurl: javascript:alert(1)\n---\n{EN_BODY}".encode(), name="a.md")
    assert art.url is None


def test_missing_file_and_folder_are_clear(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_article(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="folder"):
        read_article(tmp_path)


def test_folders_yield_article_files_only(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("b.txt", "a.md", "sub/c.html", "notes.csv", "image.png"):
        (tmp_path / name).write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_article_files([tmp_path])] == ["a.md", "b.txt", "sub/c.html"]


@pytest.mark.parametrize(("text", "lang"), [(SV_BODY, "sv"), (EN_BODY, "en"), ("Kobani 2019", "und")])
def test_language_detection(text: str, lang: str) -> None:
    assert detect_language(text) == lang
