"""The pieces that keep analysis at the model's pace: when to look for other people, when to
restart tracking, which frames to estimate, and the decoding thread."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

from aligncheck.core import PoseFrame
from aligncheck.estimate.lookout import DETECT_AT_MOST, LOOK_EVERY, Box, Lookout
from aligncheck.hindsight import Hindsight
from aligncheck.inputs import Sampler
from aligncheck.landmarks import NUM_LANDMARKS
from aligncheck.prefetch import prefetched, quick_switching


def _pose(t: float, centre=(300.0, 200.0), size=100.0) -> PoseFrame:
    rng = np.random.default_rng(0)
    xy = np.asarray(centre) + rng.uniform(-size / 2, size / 2, (NUM_LANDMARKS, 2))
    return PoseFrame(xy, np.zeros((NUM_LANDMARKS, 3)), np.ones(NUM_LANDMARKS), t, (640, 480))


def _nobody(t: float) -> PoseFrame:
    return PoseFrame.empty(t, (640, 480))


def test_looks_on_the_first_frame_then_every_second():
    lookout = Lookout()
    times = [i / 30 for i in range(91)]
    looks = [t for t in times if lookout.due(_pose(t))]
    assert looks[0] == 0.0
    assert len(looks) == 4  # 0, 1, 2, 3 s
    assert np.allclose(np.diff(looks), LOOK_EVERY, atol=1 / 30)


def test_looks_when_the_body_is_lost_or_jumps():
    lookout = Lookout()
    assert lookout.due(_pose(0.0))
    assert not lookout.due(_pose(0.1))
    assert lookout.due(_nobody(0.2)), "lost"
    assert not lookout.due(_nobody(0.3)), "still nobody: no new look until the schedule"
    assert not lookout.due(_pose(0.4))
    assert lookout.due(_pose(0.5, centre=(560.0, 200.0))), "moved further than its size"
    assert not lookout.due(_pose(0.6, centre=(560.0, 200.0)))
    assert lookout.due(_pose(0.7, centre=(560.0, 200.0), size=300.0)), "three times larger"


def test_box_jumps():
    box = Box(100.0, 100.0, 50.0)
    assert not box.jumped_to(Box(130.0, 110.0, 60.0))
    assert box.jumped_to(Box(160.0, 100.0, 50.0))
    assert box.jumped_to(Box(100.0, 100.0, 20.0))


def test_crowd_lasts_until_one_person_was_alone_for_a_while():
    lookout = Lookout()
    lookout.looked(2, 0.0)
    assert lookout.crowd
    lookout.looked(1, 0.1)
    lookout.looked(2, 0.5)  # the other person again: the clock restarts
    lookout.looked(1, 0.6)
    lookout.looked(1, 1.2)
    assert lookout.crowd
    lookout.looked(1, 1.6)
    assert not lookout.crowd


def test_a_garbled_skeleton_restarts_tracking_then_detects_for_longer_and_longer():
    lookout = Lookout()
    assert lookout.garbled(10.0), "first: restart tracking"
    assert not lookout.garbled(10.3), "again straight away: detect on every frame instead"
    assert lookout.detecting(10.5) and not lookout.detecting(11.4)
    assert not lookout.garbled(11.5), "failed again right after: detect twice as long"
    assert lookout.detecting(13.4) and not lookout.detecting(13.6)
    t = 13.7
    for _ in range(5):  # keeps failing as soon as tracking is tried: 4, 8, 8, 8, 8 s
        assert not lookout.garbled(t)
        t = next(x for x in np.arange(t, t + 20, 0.05) if not lookout.detecting(x)) + 0.05
    assert not lookout.garbled(t)
    assert lookout.detecting(t + DETECT_AT_MOST - 0.1), "capped at the longest stretch"
    assert not lookout.detecting(t + DETECT_AT_MOST + 0.1)
    t += DETECT_AT_MOST
    later = t + DETECT_AT_MOST + 5.0
    assert lookout.garbled(later), "after a long clean stretch: a plain restart again"
    assert not lookout.garbled(later + 0.1)
    assert lookout.detecting(later + 1.0) and not lookout.detecting(later + 1.2)


@pytest.mark.parametrize(
    ("video_fps", "sample_fps", "expected"),
    [(30, 10, 10), (30, 15, 15), (25, 10, 10), (30, 60, 30), (29.97, 12, 12)],
)
def test_sampler_spreads_the_frames_evenly(video_fps, sample_fps, expected):
    sampler = Sampler(sample_fps)
    times = [i / video_fps for i in range(int(10 * video_fps))]
    chosen = [t for t in times if sampler.due(t)]
    assert abs(len(chosen) / 10 - expected) <= 0.2
    gaps = np.diff(chosen)
    assert gaps.max() - gaps.min() <= 1.01 / video_fps


def test_sampler_without_a_rate_takes_every_frame():
    sampler = Sampler(None)
    assert all(sampler.due(i / 30) for i in range(100))


def test_hindsight_answers_a_fixed_number_of_poses_later():
    hindsight = Hindsight(lag=2)
    assert not hindsight.garbled(0) and not hindsight.garbled(1)
    for garbled in (False, True, False):
        hindsight.judged(garbled)
    assert [hindsight.garbled(n) for n in (2, 3, 4)] == [False, True, False]


def test_hindsight_waits_for_the_judge():
    hindsight = Hindsight(lag=1)
    answer: list[bool] = []
    asker = threading.Thread(target=lambda: answer.append(hindsight.garbled(1)))
    asker.start()
    asker.join(0.3)
    assert asker.is_alive() and not answer, "pose 0 is not judged yet"
    hindsight.judged(True)
    asker.join(2.0)
    assert answer == [True]


def test_hindsight_never_hangs_once_closed():
    hindsight = Hindsight(lag=1)
    hindsight.close()
    assert hindsight.garbled(5) is False


def test_prefetched_keeps_order_and_passes_errors_on():
    assert list(prefetched(range(100), depth=3)) == list(range(100))

    def failing():
        yield 1
        raise ValueError("damaged")

    got = []
    with pytest.raises(ValueError, match="damaged"):
        for item in prefetched(failing()):
            got.append(item)
    assert got == [1]


def test_prefetched_stops_its_thread_and_closes_the_source_when_left_early():
    closed = threading.Event()

    def endless():
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.set()

    items = prefetched(endless(), depth=2)
    assert next(items) == 0
    items.close()
    assert closed.wait(2.0)
    assert not any(t.name == "aligncheck-prefetch" for t in threading.enumerate())


def test_quick_switching_lasts_only_for_the_analysis():
    before = sys.getswitchinterval()
    with quick_switching(0.001):
        assert sys.getswitchinterval() == pytest.approx(min(before, 0.001))
    assert sys.getswitchinterval() == before
    with pytest.raises(RuntimeError), quick_switching(0.001):
        raise RuntimeError
    assert sys.getswitchinterval() == before
