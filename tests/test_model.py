"""The bundled pose model: its checksum, check_model's errors, and its byte-exact rebuild.

Also the output-folder check in aligncheck.sinks, which shares the "fail before any work" rule.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from aligncheck.errors import ModelError, OutputError
from aligncheck.estimate.model import (
    DEFAULT_MODEL,
    DEFAULT_MODEL_SHA256,
    REQUIRED_MEMBERS,
    check_model,
    sha256_of,
)
from aligncheck.sinks import ensure_output_dir

REPO = Path(__file__).resolve().parents[1]
WHEEL_NAME = "mediapipe-0.10.21-*.whl"
WHEEL_HINT = (
    "the mediapipe 0.10.21 wheel is needed to rebuild the model; get it with "
    "`pip download --no-deps --only-binary=:all: --python-version 3.11 mediapipe==0.10.21 "
    "-d DIR` and set ALIGNCHECK_MP_WHEEL_DIR=DIR (or use DIR=/tmp/mp0)"
)


def _independent_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bundled_model_matches_its_checksum():
    assert DEFAULT_MODEL.is_file()
    assert DEFAULT_MODEL.name == "pose_landmarker_full.task"
    assert _independent_sha256(DEFAULT_MODEL) == DEFAULT_MODEL_SHA256
    assert sha256_of(DEFAULT_MODEL) == DEFAULT_MODEL_SHA256


def test_check_model_accepts_the_bundled_model():
    info = check_model()
    assert info.path == DEFAULT_MODEL
    assert info.sha256 == DEFAULT_MODEL_SHA256
    assert info.size_bytes == DEFAULT_MODEL.stat().st_size
    assert info.is_default


def test_check_model_accepts_a_copy_and_knows_it_is_the_default(tmp_path):
    copy = tmp_path / "mine.task"
    shutil.copyfile(DEFAULT_MODEL, copy)
    info = check_model(copy)
    assert info.path == copy
    assert info.is_default
    assert check_model(str(copy)).path == copy


# ---------------------------------------------------------------------------------------------
# Bad model files: each gives ModelError naming the file
# ---------------------------------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return path


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "absent_model.task"


def _text(tmp_path: Path) -> Path:
    path = tmp_path / "notes_model.task"
    path.write_text("not a model\n" * 100)
    return path


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty_model.task"
    path.write_bytes(b"")
    return path


def _directory(tmp_path: Path) -> Path:
    path = tmp_path / "folder_model.task"
    path.mkdir()
    return path


def _zip_without_members(tmp_path: Path) -> Path:
    return _zip(tmp_path / "other_bundle.task", {"readme.txt": b"hello", "x.tflite": b"x" * 64})


def _zip_with_one_member(tmp_path: Path) -> Path:
    model = b"\x1c\x00\x00\x00TFL3" + bytes(64)
    return _zip(tmp_path / "half_bundle.task", {"pose_detector.tflite": model})


def _zip_not_tflite(tmp_path: Path) -> Path:
    members = {name: b"PK not a flatbuffer at all" * 8 for name in REQUIRED_MEMBERS}
    return _zip(tmp_path / "fake_bundle.task", members)


def _zip_short_members(tmp_path: Path) -> Path:
    return _zip(tmp_path / "tiny_bundle.task", {name: b"TFL" for name in REQUIRED_MEMBERS})


def _truncated(tmp_path: Path) -> Path:
    path = tmp_path / "cut_model.task"
    with DEFAULT_MODEL.open("rb") as handle:
        path.write_bytes(handle.read(1 << 20))
    return path


def _corrupted(tmp_path: Path) -> Path:
    data = bytearray(DEFAULT_MODEL.read_bytes())
    data[len(data) // 2] ^= 0xFF  # inside a stored member: its CRC no longer matches
    path = tmp_path / "flipped_model.task"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("make", "says"),
    [
        pytest.param(_missing, "does not exist", id="missing"),
        pytest.param(_directory, "is a folder", id="directory"),
        pytest.param(_text, "not a zip", id="text-file"),
        pytest.param(_empty, "not a zip", id="empty-file"),
        pytest.param(_zip_without_members, "lacks pose_detector.tflite", id="zip-no-members"),
        pytest.param(_zip_with_one_member, "lacks pose_landmarks_detector", id="zip-one-member"),
        pytest.param(_zip_not_tflite, "not a TFLite model", id="zip-not-tflite"),
        pytest.param(_zip_short_members, "not a TFLite model", id="zip-3-byte-members"),
        pytest.param(_truncated, "truncated", id="first-1MB"),
        pytest.param(_corrupted, "damaged", id="flipped-byte"),
    ],
)
def test_check_model_rejects_bad_files(tmp_path, make, says):
    path = make(tmp_path)
    with pytest.raises(ModelError) as info:
        check_model(path)
    message = str(info.value)
    assert path.name in message
    assert says in message
    assert "pose landmarker bundle" in message or "damaged" in message


def test_missing_model_passed_by_user_gets_no_reinstall_hint(tmp_path):
    with pytest.raises(ModelError) as info:
        check_model(tmp_path / "x.task")
    assert "reinstall" not in str(info.value)


# ---------------------------------------------------------------------------------------------
# Rebuilding the bundled model from the mediapipe 0.10.21 wheel
# ---------------------------------------------------------------------------------------------


def _find_wheel() -> Path | None:
    folders = [os.environ.get("ALIGNCHECK_MP_WHEEL_DIR"), "/tmp/mp0"]
    for folder in filter(None, folders):
        wheels = sorted(Path(folder).glob(WHEEL_NAME))
        if wheels:
            return wheels[0]
    return None


def test_rebuild_reproduces_the_bundled_model_byte_for_byte(tmp_path):
    wheel = _find_wheel()
    if wheel is None:
        pytest.skip(WHEEL_HINT)
    output = tmp_path / "rebuilt.task"
    # A separate interpreter: the rebuild script installs module stubs into sys.modules.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), *sys.path]))}
    result = subprocess.run(
        [sys.executable, "-m", "aligncheck.models.rebuild", str(wheel), "--output", str(output)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[0] == DEFAULT_MODEL_SHA256
    assert output.read_bytes() == DEFAULT_MODEL.read_bytes()


# ---------------------------------------------------------------------------------------------
# Output folders
# ---------------------------------------------------------------------------------------------


def test_ensure_output_dir_creates_nested_folders(tmp_path):
    target = tmp_path / "a" / "b" / "out"
    assert ensure_output_dir(target) == target
    assert target.is_dir()
    assert list(target.iterdir()) == []  # the write probe leaves nothing behind
    assert ensure_output_dir(str(target)) == target  # an existing folder is fine


def test_ensure_output_dir_under_a_regular_file(tmp_path):
    blocker = tmp_path / "report.txt"
    blocker.write_text("x")
    target = blocker / "out"
    with pytest.raises(OutputError) as info:
        ensure_output_dir(target)
    assert str(target) in str(info.value)
    assert "--out" in str(info.value)


def test_ensure_output_dir_where_a_file_is_in_the_way(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="in the way") as info:
        ensure_output_dir(blocker)
    assert str(blocker) in str(info.value)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="permission bits do not stop root (or this platform has no geteuid)",
)
def test_ensure_output_dir_read_only_folder(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="not writable") as info:
            ensure_output_dir(locked)
        assert str(locked) in str(info.value)
        with pytest.raises(OutputError):
            ensure_output_dir(locked / "sub")
    finally:
        locked.chmod(0o700)
