"""``live --pose auto``: which installed pose to coach, frame by frame.

Each frame is recognised among the installed poses (:mod:`aligncheck.recognise`) and the
answer smoothed as it happens (:class:`~aligncheck.segments.PoseTracker`): a pose is coached
once it has been held for about a second, and dropped once it has not been seen for half a
second. Between poses nothing is judged.
"""

from __future__ import annotations

from collections.abc import Sequence

from aligncheck.core import PoseFrame
from aligncheck.recognise import RecogniseSettings, Recognition, recognise
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
