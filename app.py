"""Map page (home): the filtered events on a Leaflet map; clicking a marker shows its full record."""

import streamlit as st

from conflictmap import ui

st.set_page_config(page_title="Conflict Event Map", page_icon="🗺️", layout="wide")
st.title("Conflict Event Map")
view = ui.event_view()
ui.show_counts(view)

map_col, record_col = st.columns([3, 2])
with map_col:
    selected = ui.event_map(view.events)
with record_col:
    row = ui.event_row(view.events, selected)
    if row is None:
        st.info("Click a marker to see the event's full record here.")
    else:
        ui.show_event_record(row)
