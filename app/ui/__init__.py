"""The Streamlit app (pages in app/ui/pages); run with `mxdoctor app`."""
