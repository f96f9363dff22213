"""``--pose auto`` on videos: a generated clip with two poses in sequence is split into two
pose segments and a transition, each judged by its own rules; the report, the terminal
summary, frames.jsonl and review's index show the poses; real clips of chair yoga and seated
breathing are no known pose."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from aligncheck.cli import main
from aligncheck.errors import SourceError
from aligncheck.live.autopose import NO_POSE_CUE
from aligncheck.live.loop import run_live
from aligncheck.live.values import LiveOptions
from aligncheck.live.voice import SilentVoice
from aligncheck.recognise import NO_POSE
from aligncheck.review import review_clips
from aligncheck.rules.registry import recognisable_poses
from aligncheck.sequence import analyze_auto
from aligncheck.synth.clips import sequence_clip

DATA = Path(__file__).resolve().parent / "data"
STANDING = "Standing (test pose)"
JANU = "Head-to-knee forward bend"


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory) -> Path:
    """The bundled poses plus a test-only standing pose."""
    folder = tmp_path_factory.mktemp("rules")
    shutil.copy(DATA / "standing_test_pose.yaml", folder)
    return folder


@pytest.fixture(scope="module")
def two_poses(tmp_path_factory) -> Path:
    """Standing for 3 s, 3 s sitting down into Janu Sirsasana's preparation, held 4 s."""
    path = tmp_path_factory.mktemp("clips") / "two_poses.mp4"
    steps = [("standing", 0.0, 3.0), ("janu_right_upright", 3.0, 4.0)]
    return sequence_clip(path, steps, fps=10.0, azimuth=70.0)


@pytest.fixture(scope="module")
def analysed(two_poses, rules_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return analyze_auto(two_poses, recognisable_poses(rules_dir), out, write_video=False)


def test_two_poses_give_two_segments_and_a_transition(analysed):
    timeline = analysed.summary.timeline
    assert [s.kind for s in timeline] == ["pose", "transition", "pose"]
    assert [s.pose_id for s in timeline if s.kind == "pose"] == [
        "standing_test_pose",
        "janu_sirsasana",
    ]
    standing, between, janu = timeline
    assert standing.start == 0.0 and standing.duration >= 3.0
    assert between.duration <= 3.0 and janu.end == pytest.approx(10.0, abs=0.15)


def test_each_pose_is_judged_by_its_own_rules(analysed):
    standing, janu = analysed.summary.parts
    assert standing.summary.pose["id"] == "standing_test_pose"
    assert {r.rule_id for r in standing.summary.rules} == {"upright"}
    assert janu.summary.pose["id"] == "janu_sirsasana"
    assert janu.summary.sides == {"right leg straight": pytest.approx(janu.segment.duration, 0.2)}
    assert janu.summary.rule("sit_upright").seconds.get("ok", 0) > 2.0
    assert standing.summary.duration <= standing.segment.duration + 0.2


def test_frames_log_carries_the_pose_of_each_frame(analysed):
    lines = (analysed.folder / "frames.jsonl").read_text(encoding="utf-8").splitlines()
    header, frames = json.loads(lines[0]), [json.loads(line) for line in lines[1:]]
    assert header["pose"] == "auto" and set(header["poses"]) >= {"janu_sirsasana"}
    assert len(frames) == 100
    assert frames[5]["pose"] == "standing_test_pose"
    assert frames[5]["recognised"] == {
        "pose": "standing_test_pose",
        "segment": "standing_test_pose",
    }
    assert frames[-1]["pose"] == "janu_sirsasana" and frames[-1]["status"]
    between = [f for f in frames if f["recognised"]["segment"] == "transition"]
    assert between and all(f["pose"] is None and f["status"] == {} for f in between)


def test_summary_json_and_report_show_the_timeline(analysed):
    data = json.loads((analysed.folder / "summary.json").read_text(encoding="utf-8"))
    assert data["kind"] == "sequence"
    assert data["poses_found"] == ["standing_test_pose", "janu_sirsasana"]
    assert [t["label"] for t in data["timeline"]] == [STANDING, "transition", JANU]
    html = (analysed.folder / "report.html").read_text(encoding="utf-8")
    assert "Timeline" in html and STANDING in html and JANU in html
    for part in data["parts"]:
        assert (analysed.folder / part["report"]).is_file()
        assert part["report"] in html


def test_analyze_prints_the_timeline_and_each_pose(two_poses, rules_dir, tmp_path, capsys):
    argv = ["analyze", str(two_poses), "--rules-dir", str(rules_dir), "--out", str(tmp_path)]
    assert main([*argv, "--no-video"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"poses found: {STANDING}, {JANU}" in out
    assert "Timeline: 00:00–00:0" in out and "transition" in out
    assert f"1. {STANDING}" in out and f"2. {JANU}" in out and "side right leg straight" in out


def test_analyze_with_a_named_pose_is_as_before(two_poses, tmp_path, capsys):
    argv = ["analyze", str(two_poses), "--pose", "janu_sirsasana", "--out", str(tmp_path)]
    assert main([*argv, "--no-video"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Timeline" not in out and "Head-to-knee forward bend (Jānuśīrṣāsana)" in out
    data = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert "kind" not in data and data["pose"]["id"] == "janu_sirsasana"


def test_review_index_lists_the_poses_of_each_clip(two_poses, rules_dir, tmp_path):
    clips = tmp_path / "clips"
    clips.mkdir()
    shutil.copy(two_poses, clips / "anna_two_poses.mp4")
    result = review_clips([clips], tmp_path / "review", rules_dir=rules_dir, jobs=1)
    (row,) = result.rows
    assert row.pose == f"{STANDING}, {JANU}" and row.status == "analysed"
    assert row.score is not None and row.report_href
    with result.index_csv.open(encoding="utf-8") as handle:
        (line,) = list(csv.DictReader(handle))
    assert f"{STANDING}, {JANU}" in line.values()
    html = result.index_html.read_text(encoding="utf-8")
    assert f"{STANDING}, {JANU}" in html and "Poses: review of 1 clips" in html


@pytest.mark.parametrize(
    "name",
    ["video_001_chair_yoga_seated_arm_stretch.mp4", "video_002_sukhasana_seated_breathing.m4v"],
)
def test_real_clips_of_chair_yoga_and_seated_breathing_are_no_known_pose(real_data, tmp_path, name):
    found = analyze_auto(
        real_data / "videos" / name, recognisable_poses(), tmp_path, write_video=False, until=20
    )
    assert found.summary.parts == []
    assert {s.label for s in found.summary.timeline} == {NO_POSE}


def test_live_coaches_each_pose_it_recognises_and_records_the_sequence(
    two_poses, rules_dir, tmp_path
):
    options = LiveOptions(window=False, realtime=False, record=tmp_path / "rec")
    library = recognisable_poses(rules_dir)
    result = run_live(library, source=two_poses, options=options, voice=SilentVoice())
    said = [line.split("] ", 1)[-1] for line in result.lines]
    assert said.index(f"pose: {STANDING}") < said.index(f"pose: {JANU}")
    first = next(t for t in result.ticks if t.detected)
    assert first.cue == NO_POSE_CUE  # nothing coached before a pose has held a second
    assert any(t.phase == "standing" for t in result.ticks)
    assert any(t.side == "right leg straight" for t in result.ticks)
    data = json.loads((tmp_path / "rec" / "summary.json").read_text(encoding="utf-8"))
    assert data["kind"] == "sequence"
    assert data["poses_found"] == ["standing_test_pose", "janu_sirsasana"]
    assert (tmp_path / "rec" / "report.html").is_file()
    lines = (tmp_path / "rec" / "frames.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[-1])["pose"] == "janu_sirsasana"


def test_a_recorded_frame_log_is_split_and_judged_again_without_the_model(
    analysed, rules_dir, tmp_path, monkeypatch
):
    def no_model(*args, **kwargs):
        raise AssertionError("re-judging recorded landmarks must not load the model")

    monkeypatch.setattr("aligncheck.estimate.PoseEstimator", no_model)
    again = analyze_auto(
        None,
        recognisable_poses(rules_dir),
        tmp_path,
        from_landmarks=analysed.folder / "frames.jsonl",
        write_video=False,
    )
    assert again.summary.timeline == analysed.summary.timeline
    assert [p.summary.score for p in again.summary.parts] == [
        p.summary.score for p in analysed.summary.parts
    ]


@pytest.mark.parametrize("stage", ["recognising", "judging"])
def test_ctrl_c_keeps_what_was_analysed(analysed, rules_dir, tmp_path, monkeypatch, stage):
    calls = {"n": 0}

    def stop_after_60(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 60:
            raise KeyboardInterrupt
        return draw(*args, **kwargs) if stage == "judging" else None

    import aligncheck.sequence as sequence

    draw = sequence.draw_verdict
    if stage == "judging":
        monkeypatch.setattr(sequence, "draw_verdict", stop_after_60)
    log = analysed.folder / "frames.jsonl"
    library = recognisable_poses(rules_dir)
    with pytest.raises(sequence.SequenceInterrupted) as stopped:
        analyze_auto(
            None,
            library,
            tmp_path,
            from_landmarks=log,
            write_video=False,
            progress=stop_after_60 if stage == "recognising" else None,
        )
    kept = stopped.value.analysis
    # the 61st frame was recognised when Ctrl-C came; it was being drawn when judging
    frames = 61 if stage == "recognising" else 60
    assert kept.interrupted and kept.summary.frames == frames
    assert kept.summary.timeline[-1].end <= frames / 10 + 1e-9 and kept.summary.parts
    assert "interrupted" in kept.summary.notes[0]
    data = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert data["frames"] == frames and (tmp_path / "report.html").is_file()
    lines = (tmp_path / "frames.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + frames


def test_sampling_runs_the_model_on_fewer_frames_and_keeps_every_frame(
    two_poses, rules_dir, tmp_path, monkeypatch
):
    from aligncheck.estimate import PoseEstimator

    calls = {"n": 0}
    estimate = PoseEstimator.estimate

    def counted(self, frame, prepared=None):
        calls["n"] += 1
        return estimate(self, frame, prepared)

    monkeypatch.setattr(PoseEstimator, "estimate", counted)
    library = recognisable_poses(rules_dir)
    found = analyze_auto(two_poses, library, tmp_path, write_video=False, sample_fps=5.0)
    assert found.summary.frames == 100 and 45 <= calls["n"] <= 55
    assert [s.kind for s in found.summary.timeline] == ["pose", "transition", "pose"]
    with pytest.raises(SourceError, match="positive number"):
        analyze_auto(two_poses, library, tmp_path, sample_fps=0.0)


def test_frames_not_read_reliably_are_counted_in_a_note():
    from aligncheck.recognise import Recognition
    from aligncheck.sequence import unreliable_note

    odd = Recognition("", reason="shoulders and hips facing opposite ways", check="twist")
    odd = replace(odd, suggestion="Turn to the camera.")
    fine = Recognition("janu_sirsasana")
    note = unreliable_note([fine] * 40 + [odd] * 15, 0.1)
    assert note.startswith("The camera did not read the body reliably in 15 of 55 frames")
    assert "facing opposite ways" in note and note.endswith("Turn to the camera.")
    assert unreliable_note([fine] * 40 + [odd] * 4, 0.1) == ""  # under half a second


def _cut(source: Path, start: float, end: float, out: Path) -> Path:
    """Seconds ``start`` to ``end`` of ``source`` as an H.264 clip of its own."""
    import av

    with av.open(str(source)) as inp, av.open(str(out), "w") as container:
        video = inp.streams.video[0]
        stream = None
        for frame in inp.decode(video):
            t = float(frame.pts * video.time_base)
            if t < start:
                continue
            if t > end:
                break
            if stream is None:
                stream = container.add_stream("libx264", rate=video.average_rate or 30)
                stream.width, stream.height, stream.pix_fmt = frame.width, frame.height, "yuv420p"
                stream.options = {"preset": "ultrafast"}
            container.mux(stream.encode(frame.reformat(format="yuv420p")))
        if stream is not None:
            container.mux(stream.encode(None))
    return out


def test_sitting_cross_legged_seen_from_the_side_is_no_known_pose(real_data, tmp_path):
    """The real sukhasana clip shows, from 01:27, the practitioner sitting cross-legged seen
    from the side: the knees bent and out, the feet near the pelvis, as in bound angle from
    that view. It was once taken for bound angle for 4 s; sitting around is no pose."""
    clip = _cut(
        real_data / "videos" / "video_002_sukhasana_seated_breathing.m4v",
        85.0,
        92.0,
        tmp_path / "cross_legged_side.mp4",
    )
    result = analyze_auto(clip, recognisable_poses(), tmp_path / "out", write_video=False)
    assert result.summary.frames > 100
    assert [s.pose_id for s in result.summary.timeline if s.kind == "pose"] == []
