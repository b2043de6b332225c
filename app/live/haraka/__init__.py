"""A real Haraka release on this machine: installed once per version (install.py) and run as a
throw-away instance on loopback (server.py). Used by `mxdoctor replay` and by the e2e tests."""
