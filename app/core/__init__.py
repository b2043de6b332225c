"""The deterministic core: inputs, parsers, logs, catalog, simulate, rules, fixes, diagnose, reports.

Nothing here imports retrieval, answer composition, the CLI or the UI.
"""
