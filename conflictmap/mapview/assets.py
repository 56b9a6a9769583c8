"""Offline map assets: pip-installed XStatic packages + our own JS/CSS → files under static/, and
folium elements → links to those files (served by Streamlit at /app/static/...).

st_folium loads every `default_js` link in order and gives up at the first failure, so one CDN link
left in place blanks the map offline. `localize_assets` therefore rewrites what it knows and drops
what it does not.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from conflictmap.settings import PROJECT_DIR

# Streamlit serves <project>/static/<file> at /app/static/<file> when
# `[server] enableStaticServing = true`. The component iframe lives on the same origin.
STATIC_URL = "/app/static"
DEFAULT_STATIC_DIR = PROJECT_DIR / "static"

_HERE = Path(__file__).resolve().parent


def _xstatic_dir(module: str) -> Path:
    mod = __import__(f"xstatic.pkg.{module}", fromlist=["BASE_DIR"])
    return Path(mod.BASE_DIR)


def _asset_sources() -> dict[str, Path]:
    """Relative path under static/ → source file. Only what the map uses (no Bootstrap, no icons)."""
    leaflet = _xstatic_dir("leaflet")
    cluster = _xstatic_dir("leaflet_markercluster")
    jquery = _xstatic_dir("jquery")
    files = {
        "vendor/leaflet/leaflet.js": leaflet / "leaflet.js",
        "vendor/leaflet/leaflet.css": leaflet / "leaflet.css",
        "vendor/markercluster/leaflet.markercluster.js": cluster / "leaflet.markercluster.js",
        "vendor/markercluster/MarkerCluster.css": cluster / "MarkerCluster.css",
        "vendor/markercluster/MarkerCluster.Default.css": cluster / "MarkerCluster.Default.css",
        "vendor/jquery/jquery.min.js": jquery / "jquery.min.js",
        "conflictmap/events.js": _HERE / "events.js",
        "conflictmap/events.css": _HERE / "events.css",
    }
    for image in sorted((leaflet / "images").glob("*.png")):
        files[f"vendor/leaflet/images/{image.name}"] = image
    return files


def _own_file_version(name: str) -> str:
    # Our own JS/CSS change between releases; a content hash in the URL stops a browser from
    # running yesterday's events.js against today's payload format.
    return hashlib.sha256((_HERE / name).read_bytes()).hexdigest()[:10]


def static_url(relative: str, base: str = STATIC_URL) -> str:
    """URL of a file under static/, with a cache-busting version for our own files."""
    url = f"{base}/{relative}"
    if relative.startswith("conflictmap/") and not relative.endswith(".geojson"):
        url += f"?v={_own_file_version(relative.split('/', 1)[1])}"
    return url


# folium's asset names (as in `default_js` / `default_css`) → our local copies.
LOCAL_JS = {
    "leaflet": "vendor/leaflet/leaflet.js",
    "jquery": "vendor/jquery/jquery.min.js",
    "markerclusterjs": "vendor/markercluster/leaflet.markercluster.js",
    "conflictmap_events": "conflictmap/events.js",
}
LOCAL_CSS = {
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "markerclustercss": "vendor/markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "vendor/markercluster/MarkerCluster.Default.css",
    "conflictmap_events_css": "conflictmap/events.css",
}
COUNTRIES_GEOJSON = "conflictmap/countries.geojson"


def _countries_geojson() -> bytes:
    """Country outlines (countryinfo's bundled GeoJSON, ~260 kB) for maps drawn without tiles."""
    import countryinfo

    features = []
    for path in sorted((Path(countryinfo.__file__).parent / "data").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        geo = data.get("geoJSON") or {}
        for feature in geo.get("features", []):
            features.append({"type": "Feature", "properties": {},
                             "geometry": feature.get("geometry")})
    return json.dumps({"type": "FeatureCollection", "features": features},
                      separators=(",", ":")).encode("utf-8")


def ensure_static_assets(static_dir: Path | None = None) -> None:
    """Copy Leaflet, markercluster, jQuery, our events.js/css and country outlines into static/.

    Idempotent and cheap (a stat per file when nothing changed); call it at every app start.
    """
    root = Path(static_dir) if static_dir is not None else DEFAULT_STATIC_DIR
    for relative, source in _asset_sources().items():
        target = root / relative
        src_stat = source.stat()
        if target.exists():
            tgt_stat = target.stat()
            if tgt_stat.st_size == src_stat.st_size and tgt_stat.st_mtime >= src_stat.st_mtime:
                continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(target)  # atomic: a concurrent app start never serves half a file
    outlines = root / COUNTRIES_GEOJSON
    if not outlines.exists():
        outlines.parent.mkdir(parents=True, exist_ok=True)
        tmp = outlines.with_name(outlines.name + ".tmp")
        tmp.write_bytes(_countries_geojson())
        tmp.replace(outlines)


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _walk(child)


def localize_assets(fmap: folium.Map, base: str = STATIC_URL) -> list[str]:
    """Point every element's JS/CSS at our static copies; drop (and return) what has no copy.

    Call after all layers are added: elements added later keep their CDN links.
    """
    dropped: list[str] = []
    for element in _walk(fmap):
        for attr, table in (("default_js", LOCAL_JS), ("default_css", LOCAL_CSS)):
            links = getattr(element, attr, None)
            if not links:
                continue
            kept = []
            for name, url in links:
                if name in table:
                    kept.append((name, static_url(table[name], base)))
                elif url.startswith(base + "/"):
                    kept.append((name, url))
                else:
                    dropped.append(url)
            # Instance attribute: never mutate folium's class-level lists shared by all maps.
            setattr(element, attr, kept)
    return dropped


class IconImagePath(MacroElement):
    """Sets `L.Icon.Default.imagePath` so default markers find their PNGs locally.

    Needed because st_folium injects leaflet.css after the map script, so Leaflet cannot detect
    the path from the stylesheet.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "L.Icon.Default.imagePath = {{ this.path|tojson }};"
        "{% endmacro %}"
    )

    def __init__(self, base: str = STATIC_URL) -> None:
        super().__init__()
        self._name = "IconImagePath"
        self.path = f"{base}/vendor/leaflet/images/"
