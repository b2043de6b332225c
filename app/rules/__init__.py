"""Rules: YAML files in kb/rules (and a team's own folder) evaluated against a Context."""
from app.rules.engine import run_checks, run_rules
from app.rules.loader import load_rules

__all__ = ["load_rules", "run_rules", "run_checks"]
