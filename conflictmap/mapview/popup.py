"""st_folium click result → event id; the browser side builds popups (events.js) from the payload.

Each popup's text ends with the line "ID: <event id>"; st_folium returns the clicked popup's
text as `last_object_clicked_popup`, so that is the one returned object the page needs (panning and
zooming change other keys only, so they do not rerun the app).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

RETURNED_OBJECTS = ["last_object_clicked_popup"]

# The id line is the last line we write; evidence above it may contain "ID: ..." too, which is
# why only the end of the text counts.
_ID_AT_END = re.compile(r"ID: (\S+)\s*\Z")


def event_id_from_click(result: Mapping[str, object] | None) -> str | None:
    """The clicked event's id from st_folium's return value, or None (no click, a cluster, ...).

    >>> event_id_from_click({"last_object_clicked_popup": "2022-02-03 ... Review: machine ID: cm-1"})
    'cm-1'
    """
    if not result:
        return None
    text = result.get("last_object_clicked_popup")
    if not isinstance(text, str):
        return None
    match = _ID_AT_END.search(text)
    return match.group(1) if match else None
