"""EventPayload → folium element that mounts events.js's layers (events, heat map, legend, layer
control) on the map; its bounds feed `Map.get_bounds()` and `fit_bounds`."""

from __future__ import annotations

import json

from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from conflictmap.mapview.assets import COUNTRIES_GEOJSON, STATIC_URL
from conflictmap.mapview.legend import EVENT_TYPE_COLORS, OTHER_COLOR
from conflictmap.mapview.payload import EventPayload


def _script_json(value: object) -> str:
    """JSON that is also safe inside an HTML <script> (no `</script>`, `<!--`, U+2028)."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _Text(Element):
    """Finished text that renders as itself (no template compiled from it)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Text"
        self.text = text

    def render(self, **kwargs: object) -> str:
        return self.text


class CountryOutlines(JSCSSMixin, MacroElement):
    """Country outlines under the tiles (events.js's `addOutlines`), for maps without events."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "ConflictMap.addOutlines({{ this._parent.get_name() }}, {{ this.url_json }});"
        "{% endmacro %}"
    )
    default_js = [("conflictmap_events", f"{STATIC_URL}/conflictmap/events.js")]

    def __init__(self, static_url: str = STATIC_URL) -> None:
        super().__init__()
        self._name = "CountryOutlines"
        self.url_json = _script_json(f"{static_url}/{COUNTRIES_GEOJSON}")


class EventsLayer(JSCSSMixin, MacroElement):
    """The events of one map, drawn in the browser by `ConflictMap.mount` (events.js)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = ConflictMap.mount({{ this._parent.get_name() }}, "
        "{{ this.options_json }});"
        "{% endmacro %}"
    )
    default_js = [("conflictmap_events", f"{STATIC_URL}/conflictmap/events.js")]
    default_css = [("conflictmap_events_css", f"{STATIC_URL}/conflictmap/events.css")]

    def __init__(self, payload: EventPayload, *, outlines: bool = False, tile_name: str = "",
                 selected_event_id: str | None = None, fit: dict[str, object] | None = None,
                 static_url: str = STATIC_URL) -> None:
        super().__init__()
        self._name = "EventsLayer"
        self.payload = payload
        types = list(payload.event_types)
        options = {
            "data": payload.data,
            # Same events → same key: the browser restores the user's view under this key when
            # st_folium remounts the map (it does whenever the script changes, e.g. selection).
            "key": payload.key,
            "selected": selected_event_id,
            "fit": fit,
            "count": payload.count,
            "unmapped": payload.unmapped,
            "types": types,
            "colors": {t: EVENT_TYPE_COLORS[t] for t in types if t in EVENT_TYPE_COLORS},
            "otherColor": OTHER_COLOR,
            "tileName": tile_name,
            "outlinesUrl": f"{static_url}/{COUNTRIES_GEOJSON}" if outlines else None,
        }
        self.options_json = _script_json(options)

    def render(self, **kwargs: object) -> None:  # type: ignore[override]  # MacroElement.render returns None too
        """As MacroElement.render, but the script goes into the page as plain text.

        branca wraps every rendered script in `Element(text)`, which compiles the text as a
        Jinja template: for a 2 MB payload that is ~0.3 s of lexing per render, and st_folium
        renders three times per rerun. (It would also treat a `{{` in the data as Jinja.)
        """
        figure = self.get_root()
        assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        script = self._template.module.__dict__["script"](self, kwargs)
        figure.script.add_child(_Text(script), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)

    def _get_self_bounds(self) -> list[list[float | None]]:
        if self.payload.bounds is None:
            return [[None, None], [None, None]]
        (south, west), (north, east) = self.payload.bounds
        return [[south, west], [north, east]]
