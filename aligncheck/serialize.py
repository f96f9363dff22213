"""Verdicts as JSON-ready dicts (schema-versioned). NaN becomes null."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from aligncheck.core import RuleResult, Verdict

if TYPE_CHECKING:
    from aligncheck.recognise import Recognition

VERDICT_SCHEMA_VERSION = 1


def _num(value: float, digits: int = 2) -> float | None:
    return round(value, digits) if math.isfinite(value) else None


def result_json(result: RuleResult) -> dict[str, Any]:
    """One rule's result."""
    return {
        "rule": result.rule_id,
        "title": result.title,
        "status": result.status.value,
        "value": _num(result.value),
        "unit": result.unit,
        "ok": list(result.ok),
        "close": list(result.close),
        "priority": result.priority,
        "cue": result.cue,
        "reason": result.reason or None,
        "modification": result.modification or None,
        "level_up": result.level_up or None,
    }


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """A whole verdict."""
    return {
        "schema_version": VERDICT_SCHEMA_VERSION,
        "pose": verdict.pose_id,
        "timestamp": round(verdict.timestamp, 4),
        "index": verdict.index,
        "person_found": verdict.detected,
        "people": verdict.people,
        "side": verdict.side or None,
        "phase": verdict.phase or None,
        "phase_label": verdict.phase_label,
        "view": verdict.view or None,
        "hold_time_s": round(verdict.hold_time, 2),
        "good_time_s": round(verdict.good_time, 2),
        "top_cue": result_json(verdict.top) if verdict.top else None,
        "measures": {k: _num(v) for k, v in verdict.measures.items()},
        "rules": [result_json(r) for r in verdict.results],
        "notes": list(verdict.notes),
        "read_reliably": verdict.reliable,
        "reliability": verdict.reliability or None,
        "reliability_check": verdict.reliability_check or None,
        "suggestion": verdict.suggestion or None,
    }


def recognition_json(found: Recognition) -> dict[str, Any]:
    """Which pose ``--pose auto`` recognised (``pose`` null: no known pose), how sure, and
    each candidate's score (the smallest margin of its conditions; null: could not be seen)."""
    return {
        "pose": found.pose_id or None,
        "label": found.label,
        "reason": found.reason or None,
        "scores": {s.pose_id: _num(s.score) for s in found.scores},
    }
