"""What a live session is set up with and what it gives back, and its hold timer.

:class:`LiveOptions` holds the ``aligncheck live`` flags; :class:`LiveResult` says how the
session went, with a :class:`Tick` per processed frame; :class:`HoldTimer` counts the seconds
of good alignment shown on screen. :mod:`aligncheck.live.loop` runs the session.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from aligncheck.core import Verdict
from aligncheck.rules import EngineSettings

Side = Literal["auto", "left", "right"]
#: How long (s of source time) the setup check may hold coaching back before it starts anyway.
SETUP_SECONDS = 6.0


@dataclass(frozen=True)
class LiveOptions:
    """Settings of a live session (the ``aligncheck live`` flags)."""

    side: Side = "auto"
    voice: bool = True
    voice_name: str = "en"
    rate: int = 150
    record: Path | None = None
    window: bool = True
    realtime: bool = True
    show_angles: bool = True
    setup_seconds: float = SETUP_SECONDS
    #: Stop after this many seconds of source time (None: until quit or the source ends).
    max_seconds: float | None = None
    settings: EngineSettings | None = None


@dataclass(frozen=True)
class Tick:
    """What happened in one processed frame (kept for tests and benchmarks)."""

    timestamp: float
    detected: bool
    phase: str
    side: str
    step: int
    hold: float
    hold_paused: bool
    cue: str
    latency_ms: float


@dataclass
class LiveResult:
    """How a live session went."""

    ended_by: str = "end"  # end | quit | interrupted | source lost | error
    problem: str = ""
    frames: int = 0
    dropped: int = 0
    seconds: float = 0.0
    ticks: list[Tick] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    record: Path | None = None

    @property
    def fps(self) -> float:
        """Frames processed and drawn per second of wall time."""
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    @property
    def hold(self) -> float:
        """The longest hold timer shown (s of good alignment in the hold phase)."""
        return max((t.hold for t in self.ticks), default=0.0)


class HoldTimer:
    """Seconds of good alignment in the hold phase, from the verdicts' ``good_time``.

    Unlike the engine's own count, it *pauses* while nobody is in view (the practitioner may
    step out of the picture and back) or the pose is not read reliably, and ignores the time
    the session was paused; it resets when the body is seen outside the hold phase.
    """

    def __init__(self, hold_phase: str | Collection[str]) -> None:
        """``hold_phase``: the phase (or phases) whose time counts as holding the pose."""
        self.hold_phases = frozenset([hold_phase] if isinstance(hold_phase, str) else hold_phase)
        self.reset()

    def reset(self) -> None:
        """Back to zero."""
        self.seconds = 0.0
        self.paused = False
        self._previous: float | None = None

    def update(self, verdict: Verdict, resumed: bool = False) -> float | None:
        """The timer after ``verdict`` (None when it is not running or paused: not in the hold
        phase). ``resumed``: the first frame after a pause, whose time gap does not count."""
        if not verdict.detected or not verdict.reliable:
            self.paused, self._previous = self.seconds > 0, None
            return self.seconds if self.paused else None
        self.paused = False
        if not verdict.phase or verdict.phase not in self.hold_phases:
            self.reset()
            return None
        good = verdict.good_time
        if self._previous is not None and not resumed and good >= self._previous:
            self.seconds += good - self._previous
        self._previous = good
        return self.seconds
