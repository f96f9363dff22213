"""``live --pose auto``: which installed pose to coach, frame by frame.

Each frame is recognised among the installed poses (:mod:`aligncheck.recognise`) and the
answer smoothed as it happens (:class:`~aligncheck.segments.PoseTracker`): a pose is coached
once it has been held for about a second, and dropped once it has not been seen for half a
second. Between poses nothing is judged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aligncheck.core import PoseFrame, Verdict
from aligncheck.recognise import RecogniseSettings, Recognition, no_pose_verdict, recognise
from aligncheck.rules.engine import RuleEngine
from aligncheck.rules.schema import RuleSet
from aligncheck.segments import PoseTracker, SegmentSettings

#: The cue shown while no installed pose is recognised.
NO_POSE_CUE = "No known pose yet: come into a pose and hold it"


class AutoPose:
    """The pose to coach now, or None."""

    def __init__(
        self,
        library: Sequence[RuleSet],
        settings: RecogniseSettings | None = None,
        segments: SegmentSettings | None = None,
    ) -> None:
        self._rules = {r.pose.id: r for r in library}
        self._library = list(library)
        self._settings = settings or RecogniseSettings()
        self._tracker = PoseTracker(segments)

    def update(self, pose: PoseFrame) -> tuple[RuleSet | None, Recognition]:
        """The rule set to judge ``pose`` by (None: no pose) and this frame's recognition."""
        found = recognise(self._library, pose, self._settings)
        current = self._tracker.update(pose.timestamp, found.pose_id)
        return (self._rules[current] if current else None), found


class AutoEngine:
    """A rule engine for ``--pose auto``: judges each frame with a fresh engine of the pose
    recognised (made by ``make_engine`` when the pose changes), or gives a "no known pose"
    verdict. After each :meth:`update`, ``rules`` is the pose judged (None: none) and
    ``switched`` says whether it changed with this frame."""

    def __init__(
        self,
        library: Sequence[RuleSet],
        make_engine: Callable[[RuleSet], RuleEngine],
        settings: RecogniseSettings | None = None,
        segments: SegmentSettings | None = None,
    ) -> None:
        self._auto = AutoPose(library, settings, segments)
        self._make = make_engine
        self.rules: RuleSet | None = None
        self.engine: RuleEngine | None = None
        self.switched = False

    def update(self, pose: PoseFrame) -> Verdict:
        """The verdict for the next frame."""
        chosen, found = self._auto.update(pose)
        self.switched = chosen is not self.rules
        if chosen is None:
            self.rules = self.engine = None
            return no_pose_verdict(pose, found)
        if self.switched or self.engine is None:
            self.rules, self.engine = chosen, self._make(chosen)
        return self.engine.update(pose)

    def force_side(self, mirrored: bool | None) -> None:
        """Force the side of the pose judged now (see :meth:`RuleEngine.force_side`)."""
        if self.engine is not None:
            self.engine.force_side(mirrored)
