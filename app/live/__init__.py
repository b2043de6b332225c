"""Talking to live servers: the SMTP probe of a server the admin runs, and replay on a real Haraka
started on loopback. Needs no index, model or UI package (a light install probes)."""
