"""Timeline page: events per week by type, fatalities over time, top actors and places."""

import streamlit as st

from conflictmap import charts, ui

st.title("Timeline")
view = ui.event_view()
ui.show_counts(view)

if view.events.empty:
    st.info("No events match the filters.")
else:
    st.altair_chart(charts.weekly_chart(view.events), width="stretch")
    st.altair_chart(charts.fatalities_chart(view.events), width="stretch")
    left, right = st.columns(2)
    left.altair_chart(charts.actors_chart(view.events), width="stretch")
    right.altair_chart(charts.places_chart(view.events), width="stretch")
