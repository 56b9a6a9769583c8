"""The layering holds: the core never imports streamlit, pages stay thin."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
CORE_MODULES = sorted(
    p for p in (PROJECT_DIR / "conflictmap").rglob("*.py") if p.name != "ui.py" and "__pycache__" not in p.parts
)


def _module_name(path: Path) -> str:
    rel = path.relative_to(PROJECT_DIR).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def test_core_imports_without_streamlit() -> None:
    names = [_module_name(p) for p in CORE_MODULES if p.name != "__main__.py"]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_DIR, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "", f"core modules pulled in streamlit: {result.stdout.strip()}"


def test_no_core_module_mentions_streamlit_import() -> None:
    offenders = []
    for path in CORE_MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "streamlit" or n.startswith("streamlit.") or n.startswith("streamlit_folium") for n in names):
                offenders.append(str(path.relative_to(PROJECT_DIR)))
    assert offenders == []


def test_pages_do_no_sql_geocoding_or_map_building() -> None:
    """Pages read widgets, call the core, render: SQL, geopy and folium live in the core."""
    forbidden = ("sqlalchemy", "sqlite3", "psycopg", "geopy", "folium")
    pages = [PROJECT_DIR / "app.py", *sorted((PROJECT_DIR / "pages").glob("*.py"))]
    offenders = []
    for path in pages:
        if not path.exists():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                mods = [node.module]
            else:
                continue
            for mod in mods:
                if mod.split(".")[0] in forbidden:
                    offenders.append(f"{path.name}: {mod}")
    assert offenders == []
