"""Ingestion: sources → documents → chunks → index. Also the one place that locates `kb/` data."""
