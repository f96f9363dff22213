"""Live coaching, run headless on synthetic clips played as the camera.

Each clip is rendered from the synthetic practitioner (so the truth is known), played through
the real loop (real MediaPipe model, ``realtime=False`` so every frame is processed, no window)
and a :class:`SilentVoice` keeps what would have been spoken.
"""

from __future__ import annotations

import itertools
import json
import socket
import sys
import time
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from aligncheck.cli import main
from aligncheck.core import PoseFrame
from aligncheck.live.capture import Captured, FileCapture
from aligncheck.live.loop import run_live
from aligncheck.live.overlay import CUE_HEIGHT, Screen, draw_live, mirror_pose, text_scale
from aligncheck.live.values import LiveOptions, LiveResult
from aligncheck.live.voice import SilentVoice
from aligncheck.live.window import display_problem
from aligncheck.recording import AnnotatedVideo
from aligncheck.rules.registry import find_pose
from aligncheck.sources import VideoSource
from aligncheck.synth.clips import sequence_clip, write_mp4

RULES = find_pose("janu_sirsasana")
CUES = {rule.cue for rule in RULES.rules}
SPINE_CUE = next(r.cue for r in RULES.rules if r.id == "spine_long_in_fold")
ENTRY = [
    ("seated_straight_legs", 0.0, 2.0),
    ("janu_right_upright", 2.5, 3.0),
    ("janu_right_twist", 2.0, 2.0),
    ("janu_right_upright", 1.5, 2.0),
    ("janu_right_folded", 2.5, 7.0),
]


def _clip(folder: Path, name: str, steps: list, **kwargs) -> Path:
    return sequence_clip(folder / f"{name}.mp4", steps, fps=10.0, size=(640, 360), **kwargs)


def _concat(out: Path, *clips: Path) -> Path:
    frames = (frame.image for clip in clips for frame in VideoSource(clip))
    return write_mp4(out, frames, 10.0)


def _live(source: Path, record: Path | None = None, **kwargs) -> tuple[LiveResult, SilentVoice]:
    voice = SilentVoice()
    options = LiveOptions(window=False, realtime=False, record=record, **kwargs)
    return run_live(RULES, source=source, options=options, voice=voice), voice


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("live_clips")
    entry = _clip(folder, "entry", ENTRY)
    rounded = _clip(
        folder,
        "rounded",
        [
            ("janu_right_upright", 0.0, 1.5),
            ("janu_right_folded_rounded", 2.5, 4.0),
            ("janu_right_folded", 2.0, 4.0),
        ],
    )
    fold = _clip(
        folder, "fold", [("janu_right_upright", 0.0, 1.5), ("janu_right_folded", 2.5, 4.0)]
    )
    empty = _clip(folder, "empty", [("janu_right_folded", 0.0, 3.0)], empty=True)
    held = _clip(folder, "held", [("janu_right_folded", 0.0, 3.0)])
    walk_out = _concat(folder / "walk_out.mp4", fold, empty, held)
    two = sequence_clip(
        folder / "two.mp4",
        [("janu_right_upright", 0.0, 2.0)],
        size=(960, 540),
        second_person="seated_straight_legs",
    )
    return {"entry": entry, "rounded": rounded, "walk_out": walk_out, "held": held, "two": two}


@pytest.fixture(scope="module")
def entry(clips, tmp_path_factory) -> tuple[LiveResult, SilentVoice]:
    return _live(clips["entry"], record=tmp_path_factory.mktemp("live_record"))


def test_guided_steps_advance_in_order_on_the_entry_sequence(entry):
    result, voice = entry
    steps = [tick.step for tick in result.ticks]
    assert steps == sorted(steps), "steps are only ever taken in order"
    assert set(steps) == set(range(len(RULES.guide) + 1)), "every step, then finished"
    # the coach announces each step that is current when it may speak, in the guide's order
    # (a step the body completes within the coach's minimum gap goes unannounced)
    says = [s.say for s in RULES.guide]
    spoken = [text for text in voice.said if text in says]
    assert [says.index(text) for text in spoken] == sorted({says.index(t) for t in spoken})
    assert spoken[0] == says[0] and spoken[-1] == says[-1] and len(spoken) >= 4
    assert any(line.endswith("all steps done") for line in result.lines)


def test_an_all_good_hold_speaks_no_correction(entry):
    result, voice = entry
    assert not CUES & set(voice.said)
    held = [t for t in result.ticks if t.phase == "fold" and t.timestamp > 18.0]
    assert held and all(t.cue == "Good alignment" for t in held)


def test_hold_timer_counts_good_alignment_in_the_fold(entry):
    result, _ = entry
    fold = [t for t in result.ticks if t.phase == "fold"]
    in_fold = fold[-1].timestamp - fold[0].timestamp
    assert in_fold - 1.0 <= result.hold <= in_fold + 0.01
    # outside the fold the timer is at zero, unless paused (a moment not read reliably)
    assert all(t.hold == 0.0 for t in result.ticks if t.phase != "fold" and not t.hold_paused)


def test_record_writes_the_session_files(entry):
    result, _ = entry
    folder = result.record
    assert folder is not None
    lines = (folder / "frames.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["live"] is True
    assert len(lines) == result.frames + 1
    with av.open(str(folder / "annotated.mp4")) as video:
        assert sum(1 for _ in video.decode(video=0)) == result.frames
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["frames"] == result.frames
    assert summary["hold_time"] > 4.0
    assert (folder / "report.html").stat().st_size > 1000


def test_rounded_fold_speaks_the_spine_cue_and_the_timer_waits_for_good_alignment(clips):
    result, voice = _live(clips["rounded"])
    assert SPINE_CUE in voice.said
    spine = [t.hold for t in result.ticks if t.cue == SPINE_CUE]
    assert len(spine) >= 20 and max(spine) == min(spine), "the timer stops while the back rounds"
    fold = [t for t in result.ticks if t.phase == "fold"]
    good = [t for t in fold if t.cue == "Good alignment"]
    in_fold = fold[-1].timestamp - fold[0].timestamp
    # each pause of the timer (a moment not read reliably) leaves out one frame's time
    resumed = sum(a.hold_paused and not b.hold_paused for a, b in itertools.pairwise(result.ticks))
    assert result.hold == pytest.approx(len(good) * 0.1, abs=0.25 + 0.1 * resumed)
    assert 3.0 < result.hold < in_fold - 3.0


def test_walking_out_pauses_the_hold_timer_and_is_reported(clips):
    result, _ = _live(clips["walk_out"])
    gone = [t for t in result.ticks if not t.detected]
    assert len(gone) >= 20
    first, last = gone[0], gone[-1]
    before = [t for t in result.ticks if t.timestamp < first.timestamp][-1]
    assert before.hold > 1.0
    assert all(t.hold_paused and t.hold == before.hold for t in gone[5:])
    assert first.cue.startswith("Nobody in view")
    assert any("cue: Nobody in view" in line for line in result.lines)
    after = [t for t in result.ticks if t.timestamp > last.timestamp]
    assert after[-1].hold > before.hold + 1.0, "the timer goes on from where it paused"


def test_switch_side_restart_and_quit_keys(clips):
    class Keys:
        closed = False

        def __init__(self, script: dict[int, str]) -> None:
            self.script, self.shown = script, 0

        def show(self, image: np.ndarray) -> None:
            self.shown += 1

        def key(self, wait_ms: int = 1) -> str | None:
            return self.script.pop(self.shown, None)

        def close(self) -> None:
            pass

    keys = Keys({100: "s", 120: "r", 140: "q"})
    options = LiveOptions(window=False, realtime=False)
    result = run_live(
        RULES, source=clips["entry"], options=options, voice=SilentVoice(), display=keys
    )
    assert result.ended_by == "quit" and result.frames == 140
    before, after = result.ticks[95], result.ticks[110]
    assert before.side == "right leg straight" and after.side == "left leg straight"
    assert result.ticks[119].step > 0 and result.ticks[121].step == 0
    assert any("side switched" in line for line in result.lines)


def test_no_camera_is_a_clear_error(capsys):
    assert main(["live", "--camera", "97", "--no-window", "--no-voice"]) == 2
    assert "No camera 97" in capsys.readouterr().err


@pytest.fixture
def fake_x_server():
    """Something listening where an X server with display number 4711 would (Linux's abstract
    socket namespace, so no file is left behind)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("abstract sockets are Linux only")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("\0/tmp/.X11-unix/X4711")
        server.listen(4)
        yield


@pytest.mark.parametrize(
    ("environ", "platform", "opens"),
    [
        ({}, "linux", False),
        ({"DISPLAY": ""}, "linux", False),
        ({"DISPLAY": ":4711"}, "linux", True),  # the fake X server below listens there
        ({"DISPLAY": ":4712.0"}, "linux", False),  # set, but nothing answers
        ({"DISPLAY": "127.0.0.1:4713"}, "linux", False),
        ({"DISPLAY": ":4712", "QT_QPA_PLATFORM": "offscreen"}, "linux", True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", True),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", False),
        ({}, "darwin", True),
        ({}, "win32", True),
    ],
)
def test_display_problem_table(environ, platform, opens, fake_x_server):
    problem = display_problem(environ, platform)
    assert (problem == "") is opens
    if not opens:
        assert "--no-window" in problem and "DISPLAY" in problem


def test_live_without_a_display_says_use_no_window_instead_of_aborting(monkeypatch, capsys):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")

    def no_camera(*args, **kwargs):
        raise AssertionError("the display is checked before the source is opened")

    monkeypatch.setattr("aligncheck.live.loop.open_live_source", no_camera)
    assert main(["live", "--no-voice"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "No display to open the live window on" in err and "--no-window" in err
    assert "Traceback" not in err


def test_a_truncated_source_ends_cleanly_with_the_recording_closed(clips, tmp_path):
    full = tmp_path / "full.mp4"  # +faststart: the index first, so a cut file still plays
    with AnnotatedVideo(full, 10.0, 640, 360) as writer:
        for frame in VideoSource(clips["entry"]):
            writer.write(frame.image, frame.timestamp)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    result, _ = _live(cut, record=tmp_path / "rec")
    assert result.ended_by == "source lost" and "truncated" in result.problem
    assert 30 < result.frames < 200
    with av.open(str(tmp_path / "rec" / "annotated.mp4")) as video:
        assert sum(1 for _ in video.decode(video=0)) == result.frames
    summary = json.loads((tmp_path / "rec" / "summary.json").read_text())
    assert any("truncated" in note for note in summary["notes"])


def test_realtime_file_capture_skips_frames_it_cannot_keep_up_with(clips):
    capture = FileCapture(clips["rounded"], realtime=True)
    try:
        read: list[Captured] = []
        while (item := capture.read(timeout=2.0)) is not None:
            time.sleep(0.25)  # a slow consumer: 4 frames a second of a 10 fps file
            read.append(item)
        stamps = [c.frame.timestamp for c in read]
        assert stamps == sorted(stamps)
        assert capture.dropped > len(read)
        gaps = np.diff(stamps)
        assert np.median(gaps) >= 0.2, "always the newest frame, not the next one in a queue"
    finally:
        capture.close()


def test_overlay_mirrors_the_image_and_the_pose_and_the_cue_is_large():
    image = np.zeros((360, 640, 3), np.uint8)
    image[:, :100] = 255  # a white stripe on the left edge
    pose = _pose_with_nose_at(10.0, 50.0)
    shown = mirror_pose(pose)
    assert shown.image_xy[0].tolist() == [629.0, 50.0]
    canvas = draw_live(image, pose, None, Screen(cue="Lengthen your spine", help=""))
    assert canvas[180, 600].mean() > 200 and canvas[180, 20].mean() < 50
    (_, cap_height), _ = cv2.getTextSize(
        "A", cv2.FONT_HERSHEY_SIMPLEX, text_scale(360 * CUE_HEIGHT), 1
    )
    assert cap_height >= 360 / 18, "readable from 2 m"
    banner = canvas[280:, 200:400]
    assert banner.std() > 10, "text on the cue banner"


def _pose_with_nose_at(x: float, y: float) -> PoseFrame:
    xy = np.full((33, 2), 300.0)
    xy[0] = (x, y)
    return PoseFrame(xy, np.zeros((33, 3)), np.ones(33), 0.0, (640, 360))


def test_cli_live_on_a_file_without_window_prints_and_records(clips, tmp_path, capsys):
    argv = ["live", "--source", str(clips["held"]), "--no-window", "--no-voice"]
    assert main([*argv, "--record", str(tmp_path / "rec"), "--side", "right"]) == 0
    out = capsys.readouterr().out
    assert "phase: Forward fold (right leg straight)" in out and "cue: Good alignment" in out
    assert (tmp_path / "rec" / "report.html").is_file()


class _Unplugged:
    """A camera that stops delivering after ``frames`` frames."""

    def __init__(self, clip: Path, frames: int) -> None:
        self._file = FileCapture(clip, realtime=False)
        self.name, self.fps, self.size = "camera 0", self._file.fps, self._file.size
        self.dropped, self.problem, self._left = 0, "", frames

    @property
    def ended(self) -> bool:
        return self._left <= 0

    def read(self, timeout: float = 1.0) -> Captured | None:
        self._left -= 1
        if self._left < 0:
            self.problem = "Camera 0 stopped delivering images (unplugged?)."
            return None
        return self._file.read(timeout)

    def close(self) -> None:
        self._file.close()


def test_an_unplugged_camera_ends_the_session_and_closes_the_recording(clips, tmp_path):
    options = LiveOptions(window=False, realtime=False, record=tmp_path / "rec")
    camera = _Unplugged(clips["entry"], 40)
    result = run_live(RULES, options=options, capture=camera, voice=SilentVoice())
    assert result.ended_by == "source lost" and "unplugged" in result.problem
    assert result.frames == 40 and "unplugged" in result.lines[-1]
    summary = json.loads((tmp_path / "rec" / "summary.json").read_text())
    assert any("unplugged" in note for note in summary["notes"])
    with av.open(str(tmp_path / "rec" / "annotated.mp4")) as video:
        assert sum(1 for _ in video.decode(video=0)) == 40


def test_a_second_person_is_noted(clips):
    result, _ = _live(clips["two"])
    assert any("2 people in view" in line for line in result.lines)


def test_a_missing_speech_engine_is_shown_not_fatal(clips, monkeypatch):
    message = "Voice off: espeak-ng is not installed (sudo apt-get install espeak-ng)"
    monkeypatch.setattr("aligncheck.live.loop.open_voice", lambda *a: (SilentVoice(), message))
    shown: list[Screen] = []
    monkeypatch.setattr(
        "aligncheck.live.loop.draw_live",
        lambda image, pose, verdict, screen: shown.append(screen) or image,
    )
    options = LiveOptions(window=False, realtime=False)
    result = run_live(RULES, source=clips["held"], options=options)
    assert result.ended_by == "end" and result.lines[0] == message
    assert shown and all(message in screen.notices for screen in shown)
