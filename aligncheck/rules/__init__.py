"""Alignment rules: the YAML schema, its loader, the measures and the rule engine."""

from aligncheck.rules.engine import EngineSettings, RuleEngine, evaluate_still
from aligncheck.rules.loader import RuleFileError, load_rules
from aligncheck.rules.schema import RuleSet

__all__ = [
    "EngineSettings",
    "RuleEngine",
    "RuleFileError",
    "RuleSet",
    "evaluate_still",
    "load_rules",
]
