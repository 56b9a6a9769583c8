"""Events page: the filtered events as a sortable table, downloads, and the selected event's record."""

import streamlit as st

from conflictmap import ui

st.title("Events")
view = ui.event_view()
ui.show_counts(view)

ui.download_buttons(view.events)
picked = ui.events_table(view.events)
row = ui.event_row(view.events, picked)
if row is not None:
    ui.select_event(picked)
    ui.show_event_record(row)
    if st.button("Open its article", key="open_article"):
        ui.open_article(str(row["article_id"]))
