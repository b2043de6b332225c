"""One module per page, run by st.navigation (not imported)."""
