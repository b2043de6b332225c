"""Retrieval: index access, query analysis and the passages behind a finding, for every page."""
