"""Every CLI command run in-process, the way a user would call it."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import odd_media
import pytest

from aligncheck.cli import main
from aligncheck.estimate.model import DEFAULT_MODEL_SHA256
from aligncheck.rules.registry import find_pose


@pytest.fixture
def photo(real_data: Path) -> Path:
    return real_data / "vrksasana" / "vrksasana_004.jpg"


def test_angles_table(photo, capsys):
    assert main(["angles", str(photo)]) == 0
    out = capsys.readouterr().out
    assert "Left knee" in out and "Between the thighs" in out
    assert "2D image" in out and "3D world" in out


def test_angles_json_and_annotated_image(photo, tmp_path, capsys):
    assert main(["angles", str(photo), "--json", "--out", str(tmp_path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema_version"] == 1
    assert doc["people"] == 1
    assert len(doc["landmarks"]) == 33
    # tree pose: the standing leg's knee is nearly straight in the image, the bent one is not
    knees = sorted(doc["angles_deg"][k]["image_2d"] for k in ("left_knee", "right_knee"))
    assert knees[0] < 120 < 165 < knees[1]
    annotated = cv2.imread(str(tmp_path / "vrksasana_004_pose.png"))
    original = cv2.imread(str(photo))
    assert annotated is not None and annotated.shape == original.shape
    assert np.mean(cv2.absdiff(annotated, original)) > 0.5  # something was drawn


def test_angles_on_an_empty_picture_says_no_person(tmp_path, capsys):
    blank = tmp_path / "empty_room.png"
    cv2.imwrite(str(blank), np.full((360, 480, 3), 200, np.uint8))
    assert main(["angles", str(blank)]) == 0
    assert "no person found" in " ".join(capsys.readouterr().out.split())
    assert main(["angles", str(blank), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["people"] == 0 and doc["landmarks"] == {}
    assert all(v["image_2d"] is None for v in doc["angles_deg"].values())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["angles", "missing_photo.jpg"], "missing_photo.jpg: no such file"),
        (["angles", "{photo}", "--model", "nowhere.task"], "nowhere.task"),
        (["angles", "{photo}", "--out", "{blocked}/sub"], "not writable"),
        (["model", "--model", "{photo}"], "vrksasana_004.jpg"),
    ],
    ids=["missing-photo", "missing-model", "unwritable-out", "not-a-model"],
)
def test_bad_input_gives_one_clear_error(photo, tmp_path, capsys, args, message):
    blocked = tmp_path / "a_file"
    blocked.write_text("in the way")
    argv = [a.format(photo=photo, blocked=blocked) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in " ".join(err.split())
    assert "Traceback" not in err


def test_model_command_reports_the_bundled_checksum(capsys):
    assert main(["model"]) == 0
    out = capsys.readouterr().out
    assert DEFAULT_MODEL_SHA256 in out and "bundled: yes" in out


def test_usage_error_exit_code(capsys):
    assert main(["angles", "--no-such-flag"]) == 2
    assert "No such option" in capsys.readouterr().err


SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_check_a_sample_photo_prints_a_verdict_and_writes_an_image(tmp_path, capsys):
    photo = SAMPLES / "janu_right_folded_rounded.png"
    assert main(["check", str(photo), "--out", str(tmp_path)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "right leg straight" in out and "Forward fold" in out
    assert "Top cue:" in out and "Try: Sit on a folded blanket" in out
    assert "not measured by the camera" in out
    annotated = cv2.imread(str(tmp_path / "janu_right_folded_rounded_check.png"))
    assert annotated is not None and annotated.shape == cv2.imread(str(photo)).shape


def test_check_json_has_side_phase_and_every_rule(capsys):
    assert main(["check", str(SAMPLES / "janu_right_upright_side.png"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema_version"] == 1 and doc["pose"] == "janu_sirsasana"
    assert doc["side"] == "right leg straight" and doc["phase"] == "upright"
    statuses = {r["rule"]: r["status"] for r in doc["rules"]}
    assert len(statuses) == len(find_pose("janu_sirsasana").rules)
    assert statuses["sit_upright"] == "ok"
    assert statuses["head_released"] == "not applicable"
    assert all(r["reason"] for r in doc["rules"])  # why each rule was or was not judged


def test_check_on_an_empty_picture(tmp_path, capsys):
    blank = tmp_path / "nobody.png"
    cv2.imwrite(str(blank), np.full((360, 480, 3), 200, np.uint8))
    assert main(["check", str(blank), "--json", "--pose", "janu_sirsasana"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["person_found"] is False
    assert {r["status"] for r in doc["rules"]} == {"not visible"}
    assert main(["check", str(blank), "--json"]) == 0  # --pose auto: no pose to judge by
    doc = json.loads(capsys.readouterr().out)
    assert doc["person_found"] is False and doc["rules"] == []
    assert doc["recognised"] == {
        "pose": None,
        "label": "no known pose",
        "reason": "nobody in view",
        "scores": {},
    }
    assert main(["check", str(blank)]) == 0
    assert "no person found" in " ".join(capsys.readouterr().out.split())


def test_check_unknown_pose_suggests_the_nearest(capsys):
    photo = SAMPLES / "janu_right_upright_side.png"
    assert main(["check", str(photo), "--pose", "janu_sirsasan"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "No rules for pose 'janu_sirsasan'" in err and "Did you mean 'janu_sirsasana'" in err


def test_poses_lists_the_bundled_pose(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")  # a table of nine poses wraps in 80 columns
    assert main(["poses"]) == 0
    out = capsys.readouterr().out
    assert "janu_sirsasana" in out and "Jānuśīrṣ" in out


def test_rules_dir_overrides_and_bad_files_are_listed(tmp_path, capsys):
    (tmp_path / "broken.yaml").write_text("schema_version: 1\npose: {}\n", encoding="utf-8")
    assert main(["poses", "--rules-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "broken" in out and "janu_sirsasana" in out
    assert "Invalid rules file" in out and "broken.yaml" in out


def test_rules_check_valid_and_broken(tmp_path, capsys):
    bundled = Path(__file__).resolve().parent.parent / "rules" / "janu_sirsasana.yaml"
    assert main(["rules", "check", str(bundled)]) == 0
    assert f"{len(find_pose('janu_sirsasana').rules)} rules" in capsys.readouterr().out
    broken = tmp_path / "typo.yaml"
    broken.write_text(
        bundled.read_text(encoding="utf-8").replace("type: joint_angle", "type: joint_angel", 1),
        encoding="utf-8",
    )
    assert main(["rules", "check", str(broken)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "typo.yaml:" in out and "did you mean 'joint_angle'" in out


# ---------------------------------------------------------------------------------------------
# A batch of photos goes on past the unreadable ones
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def batch(tmp_path) -> list[Path]:
    """Two readable samples around a damaged photo and a missing one."""
    first = SAMPLES / "janu_right_upright_side.png"
    last = tmp_path / "last.png"
    last.write_bytes((SAMPLES / "janu_right_folded_rounded.png").read_bytes())
    return [first, odd_media.cut_jpeg(tmp_path / "broken.jpg"), tmp_path / "gone.jpg", last]


@pytest.mark.parametrize("command", ["check", "angles"])
def test_a_batch_checks_every_readable_photo_and_exits_2_at_the_end(
    batch, tmp_path, capsys, command
):
    out = tmp_path / "out"
    assert main([command, *map(str, batch), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    text, err = " ".join(captured.out.split()), " ".join(captured.err.split())
    assert "broken.jpg: cannot be read as an image" in err and "gone.jpg: no such file" in err
    assert "2 of 4 photos could not be read; the other 2 were" in err
    assert "Traceback" not in err
    assert str(batch[0]) in text and str(batch[3]) in text  # the photo after them was done
    suffix = "check" if command == "check" else "pose"
    assert sorted(p.name for p in out.iterdir()) == [
        f"janu_right_upright_side_{suffix}.png",
        f"last_{suffix}.png",
    ]


@pytest.mark.parametrize("command", ["check", "angles"])
def test_a_batch_in_json_has_an_error_entry_per_unreadable_photo(batch, capsys, command):
    assert main([command, *map(str, batch), "--json"]) == 2
    captured = capsys.readouterr()
    documents = json.loads(captured.out)
    assert [d["file"] for d in documents] == [str(p) for p in batch]
    errors = [d.get("error", "") for d in documents]
    assert errors[0] == errors[3] == ""
    assert "cannot be read as an image" in errors[1] and "no such file" in errors[2]
    key = "rules" if command == "check" else "angles_deg"
    assert key in documents[0] and key in documents[3] and key not in documents[1]
    assert "Traceback" not in captured.err


def test_nothing_readable_does_not_load_the_model(tmp_path, capsys, monkeypatch):
    def no_model(*args, **kwargs):
        raise AssertionError("no photo exists, so the model must not be loaded")

    monkeypatch.setattr("aligncheck.photos.PoseEstimator", no_model)
    assert main(["angles", str(tmp_path / "a.jpg"), str(tmp_path / "b.jpg")]) == 2
    assert "None of the 2 photos could be read" in " ".join(capsys.readouterr().err.split())


def test_libjpeg_warnings_stay_off_the_terminal(tmp_path, capfd, caplog):
    damaged = odd_media.damaged_jpeg(tmp_path / "damaged.jpg")
    cut = odd_media.cut_jpeg(tmp_path / "cut.jpg")
    assert main(["angles", str(damaged)]) == 0  # decodes, with a warning of aligncheck's own
    err = " ".join(capfd.readouterr().err.split())
    assert "damaged.jpg: the image data is damaged" in caplog.text  # logged to stderr by main
    assert "Corrupt JPEG" not in err and "extraneous bytes" not in err
    assert main(["check", str(cut)]) == 2
    err = " ".join(capfd.readouterr().err.split())
    assert "cut.jpg: cannot be read as an image" in err
    assert "Corrupt JPEG" not in err and "Premature end" not in err


def test_an_undecided_side_says_what_to_change():
    from rich.console import Console

    from aligncheck.core import PoseFrame
    from aligncheck.rules.engine import evaluate_still
    from aligncheck.synth.evalrun import truth_pose
    from aligncheck.synth.poses import load_poses
    from aligncheck.synth.render import render
    from aligncheck.terminal import SIDE_UNKNOWN_TRY, print_verdict

    # a seated body seen from the side whose legs the model did not see: the side practised
    # cannot be told
    body = truth_pose(render(load_poses().pose("janu_right_upright"), view=60.0))
    visibility = np.ones(33)
    visibility[25:] = 0.0  # knees, ankles, heels and toes
    pose = PoseFrame(body.image_xy, body.world_xyz, visibility, 0.0, body.image_size)
    verdict = evaluate_still(find_pose("janu_sirsasana"), pose)
    assert all(r.reason.startswith("cannot tell which side") for r in verdict.results)
    console = Console(record=True, width=200)
    print_verdict(console, "photo.jpg", verdict)
    assert SIDE_UNKNOWN_TRY in console.export_text().replace("\n", " ")
