"""Frames not read reliably, as every output shows them: ``check`` (table and JSON) on real
photos, ``analyze`` (frames.jsonl, summary.json, the terminal summary and the HTML report), the
drawn overlay, and live coaching (coach, hold timer, guided entry, on-screen cue)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from aligncheck.cli import main
from aligncheck.core import PoseFrame, Status, Verdict
from aligncheck.draw.style import DEFAULT_STYLE
from aligncheck.draw.verdict import draw_verdict, unreliable_cue
from aligncheck.landmarks import MIRROR, Landmark
from aligncheck.live.coach import UNRELIABLE_AFTER, UNRELIABLE_REPEAT, UNRELIABLE_TEXT, Coach
from aligncheck.live.loop import SHOW_UNRELIABLE_AFTER, _Session
from aligncheck.live.values import HoldTimer
from aligncheck.pipeline import analyze_video
from aligncheck.recording import FrameLog
from aligncheck.rules import evaluate_still
from aligncheck.rules.guide import Guide
from aligncheck.rules.registry import find_pose
from aligncheck.session import summary_from_json, summary_to_json
from aligncheck.synth import load_poses, render
from aligncheck.synth.spine import truth_pose

L = Landmark
FPS = 10.0
SIZE = (640, 480)


@pytest.fixture(scope="module")
def rules():
    return find_pose("janu_sirsasana")


@pytest.fixture(scope="module")
def fold() -> PoseFrame:
    shot = render(
        load_poses().pose("janu_right_folded"), view=-90.0, elevation=10.0, width=640, height=480
    )
    return truth_pose(shot)


def _broken(pose: PoseFrame) -> PoseFrame:
    order = np.arange(len(L))
    for lm in (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX):
        order[lm], order[MIRROR[lm]] = MIRROR[lm], lm
    return replace(pose, image_xy=pose.image_xy[order], world_xyz=pose.world_xyz[order])


# -- check ------------------------------------------------------------------------------------
def test_check_json_and_table_say_when_a_real_photo_is_not_read_reliably(
    real_data, tmp_path, capsys
):
    misread = real_data / "poses" / "virabhadrasana" / "virabhadrasana_009.jpg"  # arm collapsed
    fine = real_data / "vrksasana" / "vrksasana_004.jpg"
    janu = ["--pose", "janu_sirsasana"]
    assert main(["check", str(misread), str(fine), *janu, "--json", "--out", str(tmp_path)]) == 0
    bad, good = json.loads(capsys.readouterr().out)
    assert bad["read_reliably"] is False and bad["top_cue"] is None
    assert bad["reliability_check"] == "limb_collapsed" and "forearm" in bad["reliability"]
    assert bad["suggestion"].startswith("Turn")
    assert {r["status"] for r in bad["rules"]} == {"not read reliably"}
    assert good["read_reliably"] is True
    assert good["reliability"] is None and good["suggestion"] is None
    assert (tmp_path / "virabhadrasana_009_check.png").is_file()
    assert main(["check", str(misread), *janu]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Pose not read reliably:" in out and "rules was judged (not read reliably)" in out
    assert "Try: Turn" in out and "│" not in out  # no table of unjudged rules


# -- analyze ----------------------------------------------------------------------------------
def _frame_log(path: Path, poses: list[PoseFrame], rules) -> Path:
    header = {"width": SIZE[0], "height": SIZE[1], "fps": FPS, "source": {"name": "made.mp4"}}
    with FrameLog(path, header) as log:
        for pose in poses:
            log.write(pose, evaluate_still(rules, pose))
    return path


def test_analyze_counts_the_frames_not_read_reliably_and_says_why(rules, fold, tmp_path, capsys):
    poses = [fold] * 30 + [_broken(fold)] * 15 + [fold] * 10
    poses = [replace(p, timestamp=i / FPS, index=i) for i, p in enumerate(poses)]
    log = _frame_log(tmp_path / "in.jsonl", poses, rules)
    result = analyze_video(None, rules, tmp_path / "out", from_landmarks=log, write_video=False)
    summary = result.summary
    assert summary.seconds_unreliable == pytest.approx(1.5, abs=0.15)
    (why,) = summary.unreliable
    assert why.check == "twist" and why.frames == 15 and why.suggestion
    assert any(n.startswith("The camera did not read the body reliably") for n in summary.notes)
    assert summary.rule("straight_knee").seconds["not read reliably"] == pytest.approx(1.5, 0.1)
    again = summary_from_json(json.loads(json.dumps(summary_to_json(summary))))
    assert again.unreliable == summary.unreliable
    assert again.seconds_unreliable == summary.seconds_unreliable
    lines = (tmp_path / "out" / "frames.jsonl").read_text(encoding="utf-8").splitlines()[1:]
    flagged = [json.loads(line) for line in lines if '"unreliable"' in line]
    assert len(flagged) == 15 and flagged[0]["unreliable"]["check"] == "twist"
    assert set(flagged[0]["status"].values()) == {"not read reliably"}
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Not read reliably" in html and "shoulders and hips facing opposite ways" in html
    assert "--unreliable" in html
    argv = ["analyze", "--from-landmarks", str(log), "--out", str(tmp_path / "cli")]
    assert main([*argv, "--pose", "janu_sirsasana"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Not read reliably: 15 of 55 frames" in out and "Try:" in out
    assert out.count("did not read the body reliably") == 0  # said once, in detail


# -- drawing ----------------------------------------------------------------------------------
def test_the_overlay_greys_a_misread_skeleton_and_says_so(rules, fold):
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    verdict = evaluate_still(rules, _broken(fold))
    drawn = draw_verdict(image, _broken(fold), verdict)
    knee = np.round(_broken(fold).image_xy[L.RIGHT_KNEE]).astype(int)
    assert tuple(int(c) for c in drawn[knee[1], knee[0]]) == DEFAULT_STYLE.hidden
    good = draw_verdict(image, fold, evaluate_still(rules, fold))
    knee = np.round(fold.image_xy[L.RIGHT_KNEE]).astype(int)
    assert tuple(int(c) for c in good[knee[1], knee[0]]) != DEFAULT_STYLE.hidden
    assert unreliable_cue(verdict) == f"Pose not read reliably: {verdict.suggestion}"
    banner = drawn[-drawn.shape[0] // 8 :]
    assert (banner[:, : max(4, SIZE[0] // 120)] == DEFAULT_STYLE.close).all(axis=2).any()


# -- live -------------------------------------------------------------------------------------
def _unreliable(verdict: Verdict, t: float, suggestion: str = "Move the camera.") -> Verdict:
    return replace(
        verdict,
        timestamp=t,
        reliability="not a body",
        suggestion=suggestion,
        reliability_check="twist",
        top=None,
        phase="",
        results=tuple(replace(r, status=Status.UNRELIABLE) for r in verdict.results),
    )


def test_the_coach_says_the_suggestion_once_in_a_while(rules, fold):
    base = evaluate_still(rules, fold)
    coach = Coach()
    said = []
    for i in range(int(70 * FPS)):
        t = i / FPS
        utterance = coach.update(_unreliable(base, t))
        if utterance is not None:
            said.append((t, utterance.text))
    assert said[0] == (pytest.approx(UNRELIABLE_AFTER), f"{UNRELIABLE_TEXT} Move the camera.")
    gaps = np.diff([t for t, _ in said])
    assert len(said) >= 2 and (gaps >= UNRELIABLE_REPEAT).all()
    short = Coach()  # a blip shorter than UNRELIABLE_AFTER is not mentioned
    blip = [short.update(_unreliable(base, i / FPS)) for i in range(int(UNRELIABLE_AFTER * FPS))]
    assert blip == [None] * len(blip)


def test_the_hold_timer_and_the_guided_step_pause_while_the_pose_is_misread(rules, fold):
    engine_verdicts = [replace(evaluate_still(rules, fold), timestamp=i / FPS) for i in range(30)]
    good = [replace(v, good_time=v.timestamp, hold_time=v.timestamp) for v in engine_verdicts]
    timer = HoldTimer(rules.hold_phase or "")
    for v in good[:20]:
        timer.update(v)
    held = timer.seconds
    assert held > 1.5
    assert timer.update(_unreliable(good[20], 2.0)) == pytest.approx(held) and timer.paused
    assert timer.update(good[21]) == pytest.approx(held)  # resumes, not reset
    # sitting with both legs straight is told from the side where the thighs are seen together
    seated = truth_pose(render(load_poses().pose("seated_straight_legs"), view=90.0))
    sitting = evaluate_still(rules, seated)
    assert sitting.phase in rules.guide[0].phases
    guide = Guide(rules)
    for i in range(6):  # half of the first step's second
        state = guide.update(replace(sitting, timestamp=i / FPS))
    assert state.index == 0 and state.progress == pytest.approx(0.5)
    for i in range(6, 16):  # a second misread: neither counts nor starts the step again
        paused = guide.update(_unreliable(sitting, i / FPS))
        assert (paused.index, paused.progress) == (0, pytest.approx(0.5))
    after = guide.update(replace(sitting, timestamp=1.6))
    assert after.index == 0 and after.progress == pytest.approx(0.6)


def test_the_live_cue_ignores_a_blip_and_then_shows_the_suggestion(rules, fold):
    base = evaluate_still(rules, fold)
    session = SimpleNamespace(_unreliable_since=None, _shown_cue=("Lengthen your spine", "off"))
    blip = _Session._unreliable_cue(session, _unreliable(base, 5.0))
    assert blip == ("Lengthen your spine", "off")
    later = _Session._unreliable_cue(session, _unreliable(base, 5.0 + SHOW_UNRELIABLE_AFTER))
    assert later == ("Pose not read reliably: Move the camera.", "warn")
