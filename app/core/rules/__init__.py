"""Rules: YAML files in kb/rules (and a team's own folder) evaluated against a Context.

The whole check, rules plus verified fixes, is `app.core.checks.run_checks`.
"""
from app.core.rules.engine import run_rules
from app.core.rules.loader import load_rules

__all__ = ["load_rules", "run_rules"]
