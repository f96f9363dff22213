"""Guided entry into a pose: the rule file's ``guide:`` steps, followed as the body moves.

:class:`Guide` reads each :class:`~aligncheck.core.Verdict` and says which step the
practitioner is on. A step is done when the body has been in one of the step's phases for the
step's ``hold`` seconds with its ``rules_ok`` rules ok (or not visible); then the next step
begins. Steps are only ever taken in order; :meth:`Guide.restart` starts again from the first.
A frame whose pose was not read reliably pauses the step: its time neither counts nor resets.
"""

from __future__ import annotations

from dataclasses import dataclass

from aligncheck.core import Status, Verdict
from aligncheck.rules.schema import GuideStep, RuleSet


@dataclass(frozen=True)
class GuideState:
    """Where the guided entry stands after a frame.

    ``step`` is the current step (None when finished); ``advanced`` is True on the frame in
    which the previous step was completed; ``progress`` is the share of the current step's
    hold already done (0-1).
    """

    index: int
    total: int
    step: GuideStep | None
    advanced: bool
    progress: float

    @property
    def finished(self) -> bool:
        """True once every step is done."""
        return self.step is None


class Guide:
    """Follow the guide steps of a rule set over a stream of verdicts."""

    def __init__(self, rules: RuleSet) -> None:
        self.steps = rules.guide
        self.restart()

    def restart(self) -> None:
        """Start again from the first step."""
        self._index = 0
        self._since: float | None = None
        self._last: float | None = None
        self._progress = 0.0

    def _satisfied(self, step: GuideStep, verdict: Verdict) -> bool:
        if verdict.phase not in step.phases:
            return False
        allowed = (Status.OK, Status.NOT_VISIBLE)
        return all(verdict.result(rule).status in allowed for rule in step.rules_ok)

    def update(self, verdict: Verdict) -> GuideState:
        """The state after ``verdict``."""
        advanced = False
        step = self.steps[self._index] if self._index < len(self.steps) else None
        last, self._last = self._last, verdict.timestamp
        if not verdict.reliable:
            if self._since is not None and last is not None:
                self._since += max(0.0, verdict.timestamp - last)  # paused
            return GuideState(self._index, len(self.steps), step, False, self._progress)
        progress = 0.0
        if step is not None:
            if self._satisfied(step, verdict):
                self._since = verdict.timestamp if self._since is None else self._since
                held = verdict.timestamp - self._since
                progress = min(1.0, held / step.hold) if step.hold > 0 else 1.0
                if held >= step.hold:
                    self._index += 1
                    self._since = None
                    advanced = True
                    step = self.steps[self._index] if self._index < len(self.steps) else None
                    progress = 0.0
            else:
                self._since = None
        self._progress = progress
        return GuideState(self._index, len(self.steps), step, advanced, progress)
