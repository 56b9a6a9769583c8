"""GeoNames + CLDR + curated supplement → on-disk name index → Candidates for a place name.

Public API: `load_gazetteer()` (cached singleton), `Gazetteer.lookup` / `Gazetteer.search`,
`import_geonames()` to deepen coverage with a GeoNames dump.
"""

from conflictmap.gazetteer.imports import download_geonames, import_geonames
from conflictmap.gazetteer.index import Gazetteer, NameMatch, load_gazetteer
from conflictmap.gazetteer.normalize import name_key, strip_article

__all__ = ["Gazetteer", "NameMatch", "download_geonames", "import_geonames", "load_gazetteer", "name_key", "strip_article"]
