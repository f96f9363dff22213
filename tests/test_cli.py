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
