"""Every CLI command run in-process, the way a user would call it."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from aligncheck.cli import main
from aligncheck.estimate.model import DEFAULT_MODEL_SHA256


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
    assert len(statuses) == 14
    assert statuses["sit_upright"] == "ok"
    assert statuses["hands_hold_foot"] == "not applicable"


def test_check_on_an_empty_picture(tmp_path, capsys):
    blank = tmp_path / "nobody.png"
    cv2.imwrite(str(blank), np.full((360, 480, 3), 200, np.uint8))
    assert main(["check", str(blank), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["person_found"] is False
    assert {r["status"] for r in doc["rules"]} == {"not visible"}
    assert main(["check", str(blank)]) == 0
    assert "no person found" in " ".join(capsys.readouterr().out.split())


def test_check_unknown_pose_suggests_the_nearest(capsys):
    photo = SAMPLES / "janu_right_upright_side.png"
    assert main(["check", str(photo), "--pose", "janu_sirsasan"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "No rules for pose 'janu_sirsasan'" in err and "Did you mean 'janu_sirsasana'" in err


def test_poses_lists_the_bundled_pose(capsys):
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
    assert "14 rules" in capsys.readouterr().out
    broken = tmp_path / "typo.yaml"
    broken.write_text(
        bundled.read_text(encoding="utf-8").replace("type: joint_angle", "type: joint_angel", 1),
        encoding="utf-8",
    )
    assert main(["rules", "check", str(broken)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "typo.yaml:" in out and "did you mean 'joint_angle'" in out
