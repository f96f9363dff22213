"""What to say, and when: a calm spoken coach over the stream of verdicts.

:class:`Coach` reads each :class:`~aligncheck.core.Verdict` (and, in a guided entry, the
:class:`~aligncheck.rules.guide.GuideState`) and returns at most one :class:`Utterance` to hand
to a voice. Its policy, with every time taken from ``verdict.timestamp`` (never the clock), so
a replayed session says the same things at the same moments:

1. A new guide step is announced once, when it becomes current; steps come before anything else.
2. When the correction last spoken has been made (its rule is now ok), a short confirmation.
3. Otherwise the top cue (``verdict.top``), once it has been the top for ``settle`` seconds.
4. The same sentence is never repeated within ``min_repeat`` seconds, and nothing at all is
   said within ``min_gap`` seconds of the last utterance; an utterance that has to wait for the
   gap is said when the gap is over, if it still applies.
5. Silence while all is well. When nobody is in view: silence, except once, after
   ``NOBODY_AFTER`` seconds, "I can't see you; come back into the picture."
6. When the pose is not read reliably (the skeleton is not a plausible body) for
   ``UNRELIABLE_AFTER`` seconds: the verdict's suggestion (e.g. where to put the camera), at
   most once every ``UNRELIABLE_REPEAT`` seconds; no correction is said meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass

from aligncheck.core import RuleResult, Status, Verdict
from aligncheck.rules.guide import GuideState
from aligncheck.rules.schema import GuideStep

#: Seconds without anybody in view before the coach says so: long enough that a stumble out of
#: the picture, or a frame the model misses, passes unmentioned.
NOBODY_AFTER = 3.0
NOBODY_TEXT = "I can't see you; come back into the picture."
#: Seconds of frames not read reliably before the coach suggests a fix, and the least time
#: between two such suggestions: a passing misreading goes unmentioned, a lasting one is
#: mentioned once in a while, never nagging.
UNRELIABLE_AFTER = 2.0
UNRELIABLE_REPEAT = 30.0
UNRELIABLE_TEXT = "I can't read your pose well."
#: Confirmations, taken in turn so that they do not sound mechanical (deterministic).
CONFIRMATIONS = ("Good, that's it.", "Yes, just like that.", "That's better.", "Good. Stay there.")


@dataclass(frozen=True)
class Utterance:
    """One sentence to speak.

    ``kind``: "step" (a guide step's instruction), "cue" (a correction), "confirm" (a
    correction was made), "info" (anything else); ``rule_id``: the rule a cue or a
    confirmation is about ('' otherwise).
    """

    text: str
    kind: str
    rule_id: str = ""


class Coach:
    """Choose what to say for each verdict: rarely, one thing at a time, most important first.

    ``min_repeat``: seconds before the same sentence may be said again; ``min_gap``: seconds
    between any two utterances; ``settle``: seconds a correction must stay the top cue before it
    is spoken (so a passing fault is not mentioned); ``confirm``: say when a correction was made.
    """

    def __init__(
        self,
        min_repeat: float = 8.0,
        min_gap: float = 3.0,
        settle: float = 1.0,
        confirm: bool = True,
    ) -> None:
        self.min_repeat = min_repeat
        self.min_gap = min_gap
        self.settle = settle
        self.confirm = confirm
        self.reset()

    def reset(self) -> None:
        """Forget everything said and seen: start a new session."""
        self._last_time: float | None = None
        self._said_at: dict[str, float] = {}
        self._step_id: str | None = None
        self._step_index = -1
        self._top_id = ""
        self._top_since = 0.0
        self._cued_rule = ""
        self._confirmations = 0
        self._nobody_since: float | None = None
        self._nobody_said = False
        self._seen: float | None = None
        self._unreliable_since: float | None = None
        self._unreliable_said: float | None = None

    # -- the policy -------------------------------------------------------------------------
    def update(self, verdict: Verdict, guide: GuideState | None = None) -> Utterance | None:
        """What to say after ``verdict`` (None: stay silent).

        A timestamp earlier than the previous one (a new source) starts afresh, as
        :meth:`reset` does.
        """
        t = verdict.timestamp
        if self._seen is not None and t < self._seen:
            self.reset()
        self._seen = t
        if not verdict.detected:
            return self._nobody(t)
        self._nobody_since, self._nobody_said = None, False
        self._track_top(verdict.top, t)
        if guide is not None and guide.step is not None and not self._announced(guide):
            # a new step waits for the gap if it must, and nothing jumps ahead of it
            return self._step(guide.index, guide.step, t)
        if not verdict.reliable:
            return self._unreliable(verdict.suggestion, t)
        self._unreliable_since = None
        if self._confirmation_due(verdict):
            return self._confirmation(t)
        return self._cue(verdict, t)

    def _nobody(self, t: float) -> Utterance | None:
        self._top_id = ""
        if self._nobody_since is None:
            self._nobody_since = t
        if self._nobody_said or t - self._nobody_since < NOBODY_AFTER:
            return None
        said = self._say(Utterance(NOBODY_TEXT, "info"), t)
        self._nobody_said = said is not None
        return said

    def _unreliable(self, suggestion: str, t: float) -> Utterance | None:
        if self._unreliable_since is None:
            self._unreliable_since = t
        if t - self._unreliable_since < UNRELIABLE_AFTER:
            return None
        if self._unreliable_said is not None and t - self._unreliable_said < UNRELIABLE_REPEAT:
            return None
        text = f"{UNRELIABLE_TEXT} {suggestion}".strip()
        said = self._say(Utterance(text, "info"), t, repeat_ok=True)
        if said is not None:
            self._unreliable_said = t
        return said

    def _announced(self, guide: GuideState) -> bool:
        return guide.step is not None and (guide.index, guide.step.id) == (
            self._step_index,
            self._step_id,
        )

    def _step(self, index: int, step: GuideStep, t: float) -> Utterance | None:
        said = self._say(Utterance(step.say, "step"), t, repeat_ok=True)
        if said is not None:
            self._step_index, self._step_id = index, step.id
        return said

    def _confirmation_due(self, verdict: Verdict) -> bool:
        """True when the rule last cued is now ok; forgets it once it no longer applies."""
        if not self._cued_rule:
            return False
        status = next((r.status for r in verdict.results if r.rule_id == self._cued_rule), None)
        if status in (None, Status.NOT_APPLICABLE) or (status is Status.OK and not self.confirm):
            self._cued_rule = ""  # the phase moved on, or confirmations are off
            return False
        return status is Status.OK

    def _confirmation(self, t: float) -> Utterance | None:
        text = CONFIRMATIONS[self._confirmations % len(CONFIRMATIONS)]
        said = self._say(Utterance(text, "confirm", self._cued_rule), t, repeat_ok=True)
        if said is not None:
            self._confirmations += 1
            self._cued_rule = ""
        return said  # while it waits for the gap, no new cue is said either

    def _cue(self, verdict: Verdict, t: float) -> Utterance | None:
        top = verdict.top
        if top is None or not top.cue or t - self._top_since < self.settle:
            return None
        said = self._say(Utterance(top.cue, "cue", top.rule_id), t)
        if said is not None:
            self._cued_rule = top.rule_id
        return said

    # -- bookkeeping ------------------------------------------------------------------------
    def _track_top(self, top: RuleResult | None, t: float) -> None:
        rule_id = top.rule_id if top is not None else ""
        if rule_id != self._top_id:
            self._top_id, self._top_since = rule_id, t

    def _say(self, utterance: Utterance, t: float, repeat_ok: bool = False) -> Utterance | None:
        """``utterance`` if the gap and the repeat interval allow it now (and note it)."""
        if self._last_time is not None and t - self._last_time < self.min_gap:
            return None
        last = self._said_at.get(utterance.text)
        if not repeat_ok and last is not None and t - last < self.min_repeat:
            return None
        self._last_time = t
        self._said_at[utterance.text] = t
        return utterance
