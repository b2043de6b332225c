"""The Streamlit app (pages in app/ui/screens); run with `mxdoctor app`."""
