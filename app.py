"""Entry point: the navigation (Map is home); the Map page draws the filtered events on a Leaflet map."""

import streamlit as st

from conflictmap import ui


def map_page() -> None:
    """Map page: the filtered events on the map; clicking a marker shows its full record."""
    st.title("Conflict Event Map")
    view = ui.event_view()
    ui.show_counts(view)
    map_col, record_col = st.columns([3, 2])
    with map_col:
        selected = ui.event_map(view.events, cache_key=view.key)
    with record_col:
        row = ui.event_row(view.events, selected)
        if row is None:
            st.info("Click a marker to see the event's full record here.")
        else:
            ui.show_event_record(row)


# No page icons: Streamlit turns a page's material-symbol icon into a favicon fetched from
# fonts.gstatic.com, and the app must make no outside requests.
st.set_page_config(page_title="Conflict Event Map", layout="wide")
st.navigation([
    st.Page(map_page, title="Map", default=True),
    st.Page("pages/1_Events.py", title="Events"),
    st.Page("pages/2_Timeline.py", title="Timeline"),
    st.Page("pages/3_Articles.py", title="Articles"),
    st.Page("pages/4_Review.py", title="Review"),
]).run()
