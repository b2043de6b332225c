"""`mxdoctor replay`: the admin's config run on their own Haraka release, on loopback.

source.py reads the config dir; ini.py edits ini text in place; rewrite.py decides what must
change to run locally (each change recorded); plugins.py decides how each listed plugin runs
(bundled, npm, local, stand-in); sandbox.py puts it together; sink.py is the stand-in forward
host; run.py starts Haraka, talks to it, and stops it; explain.py sets the real dialogue and log
beside the simulator's prediction; render.py prints the report.
"""
