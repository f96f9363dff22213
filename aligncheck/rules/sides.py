"""Which side a one-sided pose is practised on, frame after frame.

The rule file's ``sides.detect`` says how to tell: first the limb nearer the camera (which the
model sees best: straight or bent tells its role), then the detect measure compared as written
and mirrored (one limb clearly straighter than the other). In a video a decision must persist
for a short moment before the side changes, and the first decision waits for clear evidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from aligncheck.core import PoseFrame
from aligncheck.rules.measures import CameraView, evaluate
from aligncheck.rules.schema import RuleSet

#: Visibility from which the far limb counts when telling the sides apart. A limb hidden
#: behind the near one is often guessed (a folded leg drawn straight), so a photo, which must
#: decide from one picture, only lets a clearly seen far limb veto the near limb; a video waits
#: for clear evidence (a half-hidden far limb that looks alike vetoes too) and keeps the side
#: it found.
FAR_VISIBILITY = {"still": 0.8, "video": 0.3}

#: How the reason begins when the side practised cannot be told.
SIDE_UNKNOWN = "cannot tell which side is practised"


class Debounced:
    """A value that changes only after a candidate has persisted for ``min_duration``."""

    def __init__(self, initial: object) -> None:
        self.value = initial
        self._candidate = initial
        self._since = 0.0

    def update(self, candidate: object, t: float, min_duration: float) -> object:
        """The value after seeing ``candidate`` at time ``t`` (seconds)."""
        if candidate == self.value:
            self._candidate = candidate
            return self.value
        if candidate != self._candidate:
            self._candidate, self._since = candidate, t
        if t - self._since >= min_duration:
            self.value = candidate
        return self.value

    def force(self, value: object) -> None:
        """Take ``value`` at once."""
        self.value = self._candidate = value


@dataclass(frozen=True)
class SideDecision:
    """The side for one frame: ``mirrored`` (None when unknown); ``unknown`` says why the pose
    cannot be judged at all ('' when it can: a side was found, or both sides look alike)."""

    mirrored: bool | None
    unknown: str = ""


class SideTracker:
    """Decides, and remembers, the side practised (``mirrored``: the other side than written)."""

    def __init__(
        self, rules: RuleSet, threshold: float, temporal: bool, min_duration: float
    ) -> None:
        self.rules = rules
        self.threshold = threshold
        self.temporal = temporal
        self.min_duration = min_duration
        self._mirrored = Debounced(None)
        self._forced: bool | None = None
        self._alike = False

    @property
    def current(self) -> bool | None:
        """The side held now (None while unknown)."""
        return self._mirrored.value  # type: ignore[return-value]

    def force(self, mirrored: bool | None) -> None:
        """Judge the written side (False), the mirrored side (True), or detect it (None)."""
        self._forced = mirrored
        if mirrored is not None:
            self._mirrored.force(mirrored)

    def decide(self, pose: PoseFrame, view: CameraView, t: float) -> SideDecision:
        """The side for this frame."""
        if self.rules.sides is None:
            return SideDecision(False)
        self._alike = False
        mirrored = self._side(pose, view, t)
        if mirrored is not None or self._alike:
            return SideDecision(mirrored)
        detect = self.rules.measures[self.rules.sides.detect.measure]
        written = evaluate(detect, pose, False, self.threshold, view.near)
        other = evaluate(detect, pose, True, self.threshold, view.near)
        if not (written.visible and other.visible):
            why = written.reason() or other.reason()
            return SideDecision(None, f"{SIDE_UNKNOWN} ({why})")
        return SideDecision(None)  # both sides look alike: judge as written, side unnamed

    def _side(self, pose: PoseFrame, view: CameraView, t: float) -> bool | None:
        sides = self.rules.sides
        if self._forced is not None:
            return self._forced
        measure = self.rules.measures[sides.detect.measure]
        written = evaluate(measure, pose, False, self.threshold, view.near).value
        mirrored = evaluate(measure, pose, True, self.threshold, view.near).value
        current = self._mirrored.value
        near_says = self._near_side(pose, view)
        if near_says is not None:
            if current is None or not self.temporal:
                self._mirrored.force(near_says)
                return near_says
            return bool(self._mirrored.update(near_says, t, self.min_duration))
        candidate = sides.detect.choose(written, mirrored)
        gap = abs(written - mirrored)
        both = math.isfinite(gap)
        if candidate is None or (current is None and both and gap < sides.detect.margin):
            return current  # type: ignore[return-value]  # not decided (yet)
        if current is None and self.temporal and not both:
            return None  # in a video, wait for both limbs before the first decision
        if current is not None and candidate != current and self.temporal:
            if math.isfinite(gap) and gap < sides.detect.margin:
                return current  # type: ignore[return-value]  # not decisive enough to switch
            return bool(self._mirrored.update(candidate, t, self.min_duration))
        self._mirrored.force(candidate)
        return candidate

    def _near_side(self, pose: PoseFrame, view: CameraView) -> bool | None:
        """The side practised from the limb nearer the camera, or None."""
        cue = self.rules.sides.detect.near
        if cue is None or view.name not in ("side", "diagonal"):
            return None
        measure = self.rules.measures[cue.measure]
        value = evaluate(measure, pose, False, self.threshold, view.near)
        role = cue.near_role(value.value)
        if role is None:
            return None
        mirrored = self.rules.sides.roles[role] != view.near
        if role == cue.role_above and self._far_alike(pose, view, mirrored):
            self._alike = True
            return None  # both limbs look alike (e.g. both legs straight): nothing to tell
        return mirrored

    def _far_alike(self, pose: PoseFrame, view: CameraView, mirrored: bool) -> bool:
        """True when the detect measure, taken on the other side's limb, is as decisive as the
        near limb's (beyond the detection threshold): the sides cannot be told apart."""
        detect = self.rules.sides.detect
        if detect.threshold is None:
            return False
        measure = self.rules.measures[detect.measure]
        seen = FAR_VISIBILITY["video" if self.temporal else "still"]
        other = evaluate(measure, pose, not mirrored, seen, view.near)
        sign = 1.0 if detect.prefer == "larger" else -1.0
        return math.isfinite(other.value) and sign * (other.value - detect.threshold) > 0
