"""The rule file format as typed models (pydantic v2): what a rule may write, checked with
file-and-line messages when it loads, exported as JSON Schema (`mxdoctor rules schema`) for
editors, and as the README's table of predicates."""
from app.core.rules.schema.known import names_context
from app.core.rules.schema.predicates import ARGS, COMBINATORS
from app.core.rules.schema.rulefile import TRANSLATABLE, RuleFile
from app.core.rules.schema.validate import SchemaProblem, check_rule

__all__ = ["ARGS", "COMBINATORS", "TRANSLATABLE", "RuleFile", "SchemaProblem", "check_rule", "names_context"]
