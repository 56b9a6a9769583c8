"""Review page: fix what the machine got wrong (unresolved places, low-confidence events)."""

import streamlit as st

from conflictmap import ui

st.title("Review")
view = ui.event_view()

places_tab, events_tab = st.tabs(["Unresolved places", "Events to review"])
with places_tab:
    ui.review_places_panel()
with events_tab:
    ui.review_events_panel(view.events)
