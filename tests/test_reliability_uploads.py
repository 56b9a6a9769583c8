"""Uploads on the Articles page: files (name, bytes) in → stored articles or one clear line each out.

Size limit (setting CONFLICTMAP_MAX_UPLOAD_MB), type by content not by name, file names that are
only ever data (never a path: nothing is written outside the database), nothing executed. Through
AppTest's file_uploader on the real page, the core functions it calls (conflictmap.ui), and one
real browser upload (Playwright set_input_files).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile import acled_csv, acled_row
from streamlit.testing.v1 import AppTest

from conflictmap.store import Store

PROJECT_DIR = Path(__file__).resolve().parent.parent
APP = PROJECT_DIR / "app.py"

pytestmark = pytest.mark.timeout(300)

GOOD = b"---\ntitle: Clashes in Aleppo\ndate: 2023-05-14\n---\nClashes in Aleppo killed two fighters, activists said.\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40
HTML_AS_TXT = (b"<!doctype html><html><head><title>Really HTML</title><script>alert(1)</script></head>"
               b"<body onload=alert(2)><article><p>Heavy clashes broke out in Mosul, killing four fighters, "
               b"police said.</p><img src=x onerror=alert(3)></article></body></html>")
TRAVERSAL_NAMES = ("../../etc/passwd.txt", "/tmp/absolute-evil.txt", "..\\..\\windows-evil.txt",
                   "sub/../../../up.md")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current directory and a database beside it; the tests watch both for new files."""
    cwd = tmp_path / "cwd" / "deeper" / "still"
    cwd.mkdir(parents=True)
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("CONFLICTMAP_DB_URL", f"sqlite:///{tmp_path / 'db' / 'uploads.sqlite'}")
    monkeypatch.setenv("CONFLICTMAP_ARTICLES_DIR", str(tmp_path / "no-articles"))
    monkeypatch.setenv("CONFLICTMAP_TILES", "none")
    return tmp_path


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _articles_page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page("pages/3_Articles.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload_articles(files: list[tuple[str, bytes]]) -> AppTest:
    """Upload `files` on the Articles page and press its add button; the page after that run."""
    at = _articles_page()
    uploader = at.file_uploader(key="article_files")
    for name, data in files:
        uploader.upload(name, data, "text/plain")
    at.run()
    at.button(key="add_files").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def one_line_errors(at: AppTest) -> list[str]:
    errors = [e.value for e in at.error]
    for line in errors:
        assert "\n" not in line.strip() and "Traceback" not in line, line
    return errors


def test_upload_over_the_size_limit_gets_one_clear_line(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLICTMAP_MAX_UPLOAD_MB", "0.01")  # 10 KB
    big = GOOD + b"More words about the clashes. " * 700  # about 21 KB
    at = upload_articles([("big.txt", big), ("small.txt", GOOD)])
    errors = one_line_errors(at)
    assert len(errors) == 1, errors
    assert errors[0].startswith("big.txt") and "0.01 MB limit" in errors[0]
    assert "CONFLICTMAP_MAX_UPLOAD_MB" in errors[0]
    # The valid file of the same batch is still added, and the uploader says what the limit is.
    assert set(Store().articles_frame()["title"]) == {"Clashes in Aleppo"}
    assert "up to 0.01 MB" in at.file_uploader(key="article_files").proto.label


def test_dataset_over_the_size_limit_gets_one_clear_line(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLICTMAP_MAX_DATASET_MB", "0.001")
    data = acled_csv(*(acled_row(f"SYR{i}") for i in range(20)))
    at = _articles_page()
    at.file_uploader(key="dataset_file").upload("acled.csv", data, "text/csv").run()
    at.button(key="import_dataset").click().run()
    assert not at.exception
    errors = one_line_errors(at)
    assert len(errors) == 1 and "acled.csv" in errors[0] and "CONFLICTMAP_MAX_DATASET_MB" in errors[0]
    assert Store().counts()["events"] == 0


def test_type_is_judged_by_content_not_by_name(workdir: Path) -> None:
    at = upload_articles([("photo.txt", PNG), ("page.txt", HTML_AS_TXT), ("notes.html", GOOD)])
    errors = one_line_errors(at)
    # A PNG renamed .txt: refused with one line naming it.
    assert len(errors) == 1 and errors[0].startswith("photo.txt") and "binary" in errors[0], errors
    stored = Store().articles_frame().set_index("title")
    # HTML named .txt is read as HTML: its <title>, its text, none of its markup or script.
    assert "Really HTML" in stored.index
    body = Store().get_article(stored.loc["Really HTML", "id"]).article.body
    assert "Heavy clashes broke out in Mosul" in body
    assert "<" not in body and "alert" not in body and "onload" not in body
    # Plain text named .html is read as the text it is (front matter and all).
    assert "Clashes in Aleppo" in stored.index
    assert len(stored) == 2


def test_file_names_are_data_never_paths(workdir: Path) -> None:
    before = files_under(workdir)
    at = upload_articles([(name, GOOD.replace(b"Aleppo killed", f"Aleppo ({i}) killed".encode()))
                          for i, name in enumerate(TRAVERSAL_NAMES)])
    assert one_line_errors(at) == []
    stored = Store().articles_frame()
    # Each name is kept as text (where the article came from), nothing more.
    assert sorted(stored["path"]) == sorted(TRAVERSAL_NAMES)
    assert sum("added with" in s.value for s in at.success) == len(TRAVERSAL_NAMES)
    # Nothing was written but the database: not in the working directory, not where the names point.
    new = files_under(workdir) - before
    assert {Path(p).parent.name for p in new} == {"db"}, new
    assert not Path("/tmp/absolute-evil.txt").exists()


def test_dataset_file_names_are_data_never_paths(workdir: Path) -> None:
    before = files_under(workdir)
    at = _articles_page()
    at.file_uploader(key="dataset_file").upload("../../evil.csv", acled_csv(acled_row("SYR1")), "text/csv").run()
    at.button(key="import_dataset").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert one_line_errors(at) == []
    assert Store().counts()["events"] == 1
    new = files_under(workdir) - before
    assert {Path(p).parent.name for p in new} == {"db"}, new
    assert not (Path.cwd() / "../../evil.csv").resolve().exists()


def test_nothing_in_an_upload_is_executed(workdir: Path) -> None:
    marker = workdir / "pwned"
    yaml_exec = (f"---\ntitle: !!python/object/apply:os.system [\"touch {marker}\"]\n---\n"
                 "Clashes in Aleppo killed two fighters.\n").encode()
    yaml_name = b"---\ntitle: !!python/name:os.system\n---\nClashes in Aleppo.\n"
    at = upload_articles([("exec.md", yaml_exec), ("name.md", yaml_name), ("page.txt", HTML_AS_TXT)])
    errors = one_line_errors(at)
    assert sorted(e.split(":")[0] for e in errors) == ["exec.md", "name.md"], errors
    assert all("not valid YAML" in e for e in errors), errors
    assert not marker.exists()
    assert set(Store().articles_frame()["title"]) == {"Really HTML"}


# ---------------------------------------------------------------- the functions the page calls


@dataclass
class FakeUpload:
    """What st.file_uploader hands the page: name, size, getvalue()."""

    name: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    def getvalue(self) -> bytes:
        return self.data


def test_add_uploaded_articles_reports_in_order(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conflictmap import ui

    monkeypatch.setenv("CONFLICTMAP_MAX_UPLOAD_MB", "0.01")
    calls: list[tuple[int, int]] = []
    outcomes = ui.add_uploaded_articles(
        [FakeUpload("big.txt", GOOD * 200), FakeUpload("photo.txt", PNG), FakeUpload("ok.txt", GOOD)],
        lambda done, total: calls.append((done, total)))
    assert [o.name for o in outcomes] == ["big.txt", "photo.txt", "ok.txt"]
    assert "limit" in outcomes[0].problem and "binary" in outcomes[1].problem
    assert outcomes[2].problem == "" and outcomes[2].events >= 1
    assert calls == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize("name", ["..", ".", "", "x\x00.csv", "../../outside.csv"])
def test_import_dataset_with_a_name_that_is_no_file_name(workdir: Path, name: str) -> None:
    """The browser's file name is only a label: a name that is no file name ('..', '', NUL, a
    path) must neither crash nor become a path; the upload is imported under a safe name.
    (Streamlit's own type filter stops most of these names before the page; a hand-made request
    to the upload endpoint need not.)"""
    from conflictmap import ui

    report = ui.import_dataset(FakeUpload(name, acled_csv(acled_row("SYR1"))), "ACLED", lambda *a: None)
    assert report.imported == 1
    assert not (workdir.parent / "outside.csv").exists()


# ---------------------------------------------------------------- one real browser upload


def _require_browser() -> None:
    from browser_support import require_browser

    require_browser()


@pytest.mark.browser
def test_browser_upload_checks_content_and_keeps_names_as_text(tmp_path: Path) -> None:
    _require_browser()
    from browser_support import chromium_browser, streamlit_app

    db = tmp_path / "db" / "upload.sqlite"
    Store(f"sqlite:///{db}").close()
    env = {"CONFLICTMAP_DB_URL": f"sqlite:///{db}", "CONFLICTMAP_ARTICLES_DIR": str(tmp_path / "none"),
           "CONFLICTMAP_CACHE_DIR": str(tmp_path / "cache"), "CONFLICTMAP_TILES": "none",
           "CONFLICTMAP_ALLOW_NETWORK": "0", "HOME": str(tmp_path / "home")}
    app_dir_before = files_under(PROJECT_DIR / "pages")
    with streamlit_app(APP, env, tmp_path / "streamlit.log") as app, \
            chromium_browser(tmp_path / "chromium-home") as browser:
        page = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
        page.set_default_timeout(60_000)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{app.url}/Articles")
        page.get_by_role("tab", name="Upload files").click()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files([
            {"name": "photo.txt", "mimeType": "text/plain", "buffer": PNG},
            {"name": "page.txt", "mimeType": "text/plain", "buffer": HTML_AS_TXT},
            {"name": "../../etc/passwd.txt", "mimeType": "text/plain", "buffer": GOOD},
        ])
        add = page.get_by_role("button", name="Add 3 file(s)")
        add.click()
        page.locator('[data-testid="stAlertContentError"]').first.wait_for()
        page.get_by_text("Really HTML: added", exact=False).or_(
            page.get_by_text("page.txt: added", exact=False)).first.wait_for()
        errors = page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
        successes = page.locator('[data-testid="stAlertContentSuccess"]').all_inner_texts()
        log_text = app.log()
    assert len(errors) == 1 and errors[0].startswith("photo.txt") and "binary" in errors[0], errors
    assert len(successes) == 2, successes
    assert not dialogs and "Traceback" not in log_text
    stored = Store(f"sqlite:///{db}").articles_frame()
    assert set(stored["title"]) == {"Really HTML", "Clashes in Aleppo"}
    # Whatever name the browser sent, it was kept as text and written nowhere.
    assert "passwd.txt" in " ".join(stored["path"]), list(stored["path"])
    assert files_under(tmp_path / "db") <= {"upload.sqlite", "upload.sqlite-wal", "upload.sqlite-shm"}
    assert files_under(PROJECT_DIR / "pages") == app_dir_before
    assert not (PROJECT_DIR / "../../etc/passwd.txt").resolve().exists()
