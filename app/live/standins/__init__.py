"""JavaScript that `mxdoctor replay` puts into the sandboxed Haraka: a stand-in for
haraka-plugin-wildduck (not published on npm) and the loopback guard preloaded into node."""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
WILDDUCK = HERE / "wildduck.js"
LOOPBACK_GUARD = HERE / "loopback_guard.js"
USERS_FILE = "mxdoctor_replay_users"     # config/ list the stand-in reads its users from
