"""Our masker (app.core.redact) against Yelp's detect-secrets on the secret corpora, and on texts
without secrets (the shipped examples, the real Haraka log fixtures): what each catches that the
other misses, what each flags that is no secret, and the time. detect-secrets is not a
dependency; `pip install detect-secrets` to run this.

    python bench/redact_detectors.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.redact import find_spans, redact_text  # noqa: E402

CORPORA = {"tests/fixtures/secrets": "manifest.yaml", "tests/fixtures/redaction": "secrets.yaml"}


def detect_secrets_values(path: Path) -> list[str]:
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings
    with default_settings():
        found = SecretsCollection()
        found.scan_file(str(path))
    return [s.secret_value for _, s in found if s.secret_value]


def compare(root: Path, manifest: str) -> dict:
    entries = yaml.safe_load((root / manifest).read_text(encoding="utf-8"))
    row = {"secrets": 0, "detect_secrets": 0, "ours": 0, "detect_secrets_only": 0, "ours_only": 0,
           "ms_detect_secrets": 0.0, "ms_ours": 0.0}
    for name, entry in entries.items():
        secrets = entry["secrets"] if isinstance(entry, dict) else entry
        t0 = time.perf_counter()
        values = detect_secrets_values(root / name)
        t1 = time.perf_counter()
        masked = redact_text((root / name).read_text(encoding="utf-8"))
        t2 = time.perf_counter()
        row["ms_detect_secrets"] += (t1 - t0) * 1000
        row["ms_ours"] += (t2 - t1) * 1000
        for s in secrets:
            theirs = any(s in v or (len(v) >= 8 and v in s) for v in values)
            ours = s not in masked
            row["secrets"] += 1
            row["detect_secrets"] += theirs
            row["ours"] += ours
            row["detect_secrets_only"] += theirs and not ours
            row["ours_only"] += ours and not theirs
    return row


def false_alarms() -> dict:
    clean = sorted((ROOT / "tests/fixtures/logs").glob("*.log")) + sorted(
        p for p in (ROOT / "kb/examples").rglob("*") if p.is_file())
    theirs = sum(len(detect_secrets_values(p)) for p in clean)
    ours = sum(len(find_spans(p.read_text(encoding="utf-8")).merged()) for p in clean)
    return {"files": len(clean), "detect_secrets_flags": theirs, "ours_masks": ours}


if __name__ == "__main__":
    for rel, manifest in CORPORA.items():
        print(rel, compare(ROOT / rel, manifest))
    print("texts without secrets", false_alarms())
