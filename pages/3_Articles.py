"""Articles page: the ingested articles, one article with its places highlighted, adding articles."""

import streamlit as st

from conflictmap import ui

st.title("Articles")
ui.event_view()  # the shared sidebar filters stay on every page

listing, paste, upload, online, dataset = st.tabs(
    ["Articles", "Paste", "Upload files", "URL or feed", "Import ACLED/UCDP"])
with listing:
    article_id = ui.articles_table()
    if article_id:
        ui.show_article(article_id)
with paste:
    ui.paste_form()
with upload:
    ui.upload_form()
with online:
    ui.online_form()
with dataset:
    ui.dataset_form()
