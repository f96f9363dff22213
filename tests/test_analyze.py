"""``aligncheck analyze`` end to end on generated clips with known content, and bad inputs."""

from __future__ import annotations

import csv
import json
import struct
from pathlib import Path

import odd_media
import pytest

import aligncheck.pipeline as pipeline
from aligncheck.cli import main
from aligncheck.errors import OutputError, SourceError
from aligncheck.pipeline import analyze_video
from aligncheck.recording import AnnotatedVideo, FrameLog
from aligncheck.rules.registry import find_pose
from aligncheck.session import summary_from_json
from aligncheck.sources import EMPTY_FILE, VideoSource
from aligncheck.synth.clips import sequence_clip

ROUNDED = [("janu_right_upright", 0.0, 2.0), ("janu_right_folded_rounded", 1.5, 3.0)]


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    return {
        "rounded": sequence_clip(folder / "rounded.mp4", ROUNDED),
        "empty": sequence_clip(folder / "empty.mp4", ROUNDED[:1], empty=True),
        "two": sequence_clip(
            folder / "two.mp4", ROUNDED[:1], size=(960, 540), second_person="seated_straight_legs"
        ),
    }


@pytest.fixture(scope="module")
def rounded(clips, tmp_path_factory):
    out = tmp_path_factory.mktemp("rounded_out")
    return analyze_video(clips["rounded"], find_pose("janu_sirsasana"), out)


def test_outputs_are_written(rounded):
    folder = rounded.folder
    for name in ("annotated.mp4", "frames.jsonl", "summary.json"):
        assert (folder / name).stat().st_size > 0, name
    lines = (folder / "frames.jsonl").read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["type"] == "header" and header["schema_version"] == 1
    assert header["pose"] == "janu_sirsasana" and len(header["model_sha256"]) == 64
    assert len(lines) - 1 == rounded.summary.frames
    frame = json.loads(lines[-1])
    assert len(frame["landmarks"]) == 33 and frame["phase"] == "fold"
    video = VideoSource(folder / "annotated.mp4")
    assert abs(video.info.frame_count - rounded.summary.frames) <= 1
    assert (video.info.width, video.info.height) == (640, 360)


def test_the_injected_fault_is_the_top_correction(rounded):
    corrections = [r.rule_id for r in rounded.summary.corrections()]
    assert corrections[:1] == ["spine_long_in_fold"]
    kinds = {(k.kind, k.rule_id) for k in rounded.summary.key_frames}
    assert ("fault", "spine_long_in_fold") in kinds
    assert (rounded.folder / "keyframes" / "fault_spine_long_in_fold.jpg").is_file()


def test_phases_come_in_order(rounded):
    phases = [s.value for s in rounded.summary.phases if s.value]
    assert "upright" in phases and "fold" in phases
    assert phases.index("upright") < phases.index("fold")
    assert rounded.summary.sides == pytest.approx(
        {"right leg straight": rounded.summary.seconds_in_pose}, abs=0.6
    )


def test_summary_json_round_trip(rounded):
    data = json.loads((rounded.folder / "summary.json").read_text(encoding="utf-8"))
    again = summary_from_json(data)
    assert again.score == rounded.summary.score
    assert [r.rule_id for r in again.corrections()] == [
        r.rule_id for r in rounded.summary.corrections()
    ]


def test_rejudged_from_landmarks_without_the_model(rounded, tmp_path, monkeypatch):
    def no_model(*args, **kwargs):
        raise AssertionError("the model must not be loaded")

    monkeypatch.setattr(pipeline, "_estimated", no_model)
    same = analyze_video(
        None,
        find_pose("janu_sirsasana"),
        tmp_path / "same",
        from_landmarks=rounded.folder / "frames.jsonl",
    )
    assert same.summary.frames == rounded.summary.frames
    assert same.summary.score == pytest.approx(rounded.summary.score, abs=0.5)
    # a teacher relaxes the spine rule: the same landmarks, a different verdict
    bundled = Path(find_pose("janu_sirsasana").path)
    relaxed = tmp_path / "janu_sirsasana.yaml"
    text = bundled.read_text(encoding="utf-8").replace("ok: [-1.0, 0.026]", "ok: [-1.0, 0.5]", 1)
    relaxed.write_text(
        text.replace("close: [-1.0, 0.035]", "close: [-1.0, 0.6]", 1), encoding="utf-8"
    )
    changed = analyze_video(
        None,
        find_pose(str(relaxed)),
        tmp_path / "relaxed",
        from_landmarks=rounded.folder / "frames.jsonl",
    )
    assert "spine_long_in_fold" not in [r.rule_id for r in changed.summary.corrections()]


def test_nobody_in_the_video_is_said_honestly(clips, tmp_path):
    result = analyze_video(clips["empty"], find_pose("janu_sirsasana"), tmp_path)
    assert not result.summary.recognised
    assert result.summary.corrections() == []
    assert any("not recognised" in note for note in result.summary.notes)
    assert any("Nobody was found" in note for note in result.summary.notes)


def test_two_people_the_practitioner_is_measured_and_it_is_said(clips, tmp_path):
    result = analyze_video(clips["two"], find_pose("janu_sirsasana"), tmp_path)
    assert result.summary.seconds_several_people > 0.5
    assert any("More than one person" in note for note in result.summary.notes)
    assert result.summary.sides.get("right leg straight", 0) > 0.5


def _rotate_90(source: Path, target: Path) -> Path:
    """A copy whose track header says 'display rotated by 90 degrees', like a phone video."""
    data = bytearray(source.read_bytes())
    box = data.find(b"tkhd") - 4
    offset = box + (48 if data[box + 8] == 0 else 60)
    data[offset : offset + 36] = struct.pack(
        ">9I", 0, 0x10000, 0, 0xFFFF0000, 0, 0, 0, 0, 0x40000000
    )
    target.write_bytes(bytes(data))
    return target


def test_rotated_phone_video_is_analysed_upright(clips, tmp_path):
    rotated = _rotate_90(clips["empty"], tmp_path / "phone.mp4")
    assert VideoSource(rotated).info.width == 360  # portrait after rotation
    result = analyze_video(rotated, find_pose("janu_sirsasana"), tmp_path / "out", until=0.5)
    out = VideoSource(result.folder / "annotated.mp4")
    assert (out.info.width, out.info.height) == (360, 640)


def test_variable_frame_rate_keeps_its_timing(tmp_path):
    import numpy as np

    from aligncheck.recording import AnnotatedVideo

    source = tmp_path / "vfr.mp4"
    times = [i * 0.033 for i in range(15)] + [0.495 + i * 0.1 for i in range(1, 11)]
    with AnnotatedVideo(source, 30.0, 320, 180) as video:
        for t in times:
            video.write(np.full((180, 320, 3), 90, np.uint8), t)
    result = analyze_video(source, find_pose("janu_sirsasana"), tmp_path / "out")
    lines = (result.folder / "frames.jsonl").read_text(encoding="utf-8").splitlines()[1:]
    seen = [json.loads(line)["t"] for line in lines]
    assert seen == pytest.approx(times, abs=0.002)
    again = [f.timestamp for f in VideoSource(result.folder / "annotated.mp4")]
    assert again == pytest.approx(times, abs=0.002)


def test_interrupted_run_keeps_its_results(clips, tmp_path, monkeypatch):
    real = pipeline._estimated

    def stop_after_ten(*args):
        for count, pair in enumerate(real(*args)):
            if count == 10:
                raise KeyboardInterrupt
            yield pair

    monkeypatch.setattr(pipeline, "_estimated", stop_after_ten)
    with pytest.raises(KeyboardInterrupt):
        analyze_video(clips["rounded"], find_pose("janu_sirsasana"), tmp_path)
    data = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert data["frames"] == 10
    assert any("interrupted" in note for note in data["notes"])
    assert len((tmp_path / "frames.jsonl").read_text(encoding="utf-8").splitlines()) == 11
    assert VideoSource(tmp_path / "annotated.mp4").info.frame_count >= 9


def test_cli_analyze_prints_a_teachers_summary(clips, tmp_path, capsys):
    assert main(["analyze", str(clips["rounded"]), "--out", str(tmp_path), "--no-video"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Work on: Fold from the hips with a long spine" in out
    assert not (tmp_path / "annotated.mp4").exists()
    # only the files written are listed, and each of them is there
    listed = out.split(f"Written to {tmp_path}/: ")[1].split(", ")
    assert "annotated.mp4" not in out and "frames.jsonl" in listed and "report.html" in listed
    assert all((tmp_path / name).exists() for name in listed)


def test_cli_summary_names_the_poses_own_hold(clips, tmp_path, capsys):
    """The terminal summary says what was held in the pose's own words (its hold phase)."""
    argv = ["analyze", str(clips["rounded"]), "--pose", "janu_sirsasana", "--no-video"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    rules = find_pose("janu_sirsasana")
    label = rules.phase(rules.hold_phase).label.lower()
    assert f"Held the {label} " in out, out


def test_no_video_does_not_list_an_old_video_left_in_the_folder(clips, tmp_path, capsys):
    (tmp_path / "annotated.mp4").write_bytes(b"from an earlier run")
    argv = ["analyze", str(clips["empty"]), "--out", str(tmp_path), "--no-video"]
    assert main([*argv, "--until", "0.3"]) == 0
    assert "annotated.mp4" not in capsys.readouterr().out


def test_cli_ctrl_c_says_what_was_kept_and_where(clips, tmp_path, capsys, monkeypatch):
    real = pipeline._estimated

    def stop_after_ten(*args):
        for count, pair in enumerate(real(*args)):
            if count == 10:
                raise KeyboardInterrupt
            yield pair

    monkeypatch.setattr(pipeline, "_estimated", stop_after_ten)
    args = ["analyze", str(clips["rounded"]), "--out", str(tmp_path), "--pose", "janu_sirsasana"]
    assert main(args) == 130
    err = " ".join(capsys.readouterr().err.split())
    assert "Interrupted after 10 frames" in err and f"Kept in {tmp_path}/" in err
    for name in ("report.html", "annotated.mp4", "frames.jsonl", "summary.json"):
        assert name in err and (tmp_path / name).stat().st_size > 0
    assert "Traceback" not in err
    assert json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["frames"] == 10
    assert (tmp_path / "report.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert not list(tmp_path.glob("*.part"))


def _failing_after(real, count: int, error: BaseException):
    """``real`` (a write method) that raises ``error`` from its ``count``-th call on."""
    calls = {"n": 0}

    def write(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > count:
            raise error
        return real(self, *args, **kwargs)

    return write


@pytest.mark.parametrize("pose", ["janu_sirsasana", "auto"])
@pytest.mark.parametrize(
    "target, error, said",
    [
        (AnnotatedVideo, OutputError("annotated.mp4: encoding failed (boom)."), "encoding failed"),
        (FrameLog, OSError(28, "No space left on device", "frames.jsonl"), "No space left"),
    ],
)
def test_a_failure_part_way_keeps_what_was_analysed(
    clips, tmp_path, capsys, monkeypatch, pose, target, error, said
):
    """An encoder or disk failure mid-run is one clear error (exit 2), after the summary and
    report of the frames analysed before it were written and named."""
    monkeypatch.setattr(target, "write", _failing_after(target.write, 12, error))
    args = ["analyze", str(clips["rounded"]), "--out", str(tmp_path), "--pose", pose]
    assert main(args) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "Traceback" not in err and said in err, err
    assert "The analysis stopped after 12 frames" in err and f"Kept in {tmp_path}/" in err
    data = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert data["frames"] == 12
    assert any("stopped early" in note and said in note for note in data["notes"]), data
    assert (tmp_path / "report.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    lines = (tmp_path / "frames.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) - 1 >= 12 if target is AnnotatedVideo else len(lines) - 1 == 12


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (odd_media.audio_only, "has no video stream (it holds only audio)"),
        (odd_media.zero_frames, "its video stream holds no frames"),
    ],
    ids=["audio-only", "zero-frames"],
)
def test_a_video_without_pictures_says_so(tmp_path, capsys, make, message):
    clip = make(tmp_path / "clip.mp4")
    assert main(["analyze", str(clip), "--out", str(tmp_path / "out")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"clip.mp4: {message}" in err and "corrupt" not in err
    assert not (tmp_path / "out").exists()


def test_an_empty_file_is_worded_once_for_analyze_and_review(tmp_path, capsys):
    empty = tmp_path / "zero.mp4"
    empty.write_bytes(b"")
    assert main(["analyze", str(empty), "--out", str(tmp_path / "a")]) == 2
    said_by_analyze = " ".join(capsys.readouterr().err.split())
    assert main(["review", str(empty), "--out", str(tmp_path / "r")]) == 0
    with (tmp_path / "r" / "index.csv").open(encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert row["status"] == "skipped" and row["reason"] == EMPTY_FILE
    assert f"zero.mp4: {EMPTY_FILE}." in said_by_analyze


@pytest.mark.parametrize("case", ["text", "empty", "truncated"])
def test_bad_videos_give_one_clear_error(clips, tmp_path, capsys, case):
    bad = tmp_path / f"{case}.mp4"
    if case == "text":
        bad.write_text("not a video", encoding="utf-8")
    elif case == "empty":
        bad.write_bytes(b"")
    else:  # index at the end of the file, which is cut off
        bad.write_bytes(clips["rounded"].read_bytes()[:20000])
    assert main(["analyze", str(bad), "--out", str(tmp_path / "out")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"{case}.mp4" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()  # checked before any work


def test_unwritable_output_is_refused_before_work(clips, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert main(["analyze", str(clips["rounded"]), "--out", str(blocker / "out")]) == 2
    assert "not writable" in " ".join(capsys.readouterr().err.split())


def test_missing_landmark_log_is_a_clear_error(tmp_path):
    with pytest.raises(SourceError, match=r"frames\.jsonl"):
        analyze_video(
            None, find_pose("janu_sirsasana"), tmp_path, from_landmarks=tmp_path / "frames.jsonl"
        )


@pytest.mark.parametrize(
    "name",
    ["video_001_chair_yoga_seated_arm_stretch.mp4", "video_002_sukhasana_seated_breathing.m4v"],
)
def test_real_clips_without_the_pose_claim_no_faults(real_data, tmp_path, name):
    result = analyze_video(
        real_data / "videos" / name,
        find_pose("janu_sirsasana"),
        tmp_path,
        until=12.0,
        write_video=False,
    )
    assert result.summary.seconds_nobody < 1.0  # the person is found
    assert not result.summary.recognised
    assert result.summary.corrections() == []
    assert any("not recognised" in note for note in result.summary.notes)
