"""Odd and damaged inputs through ``check``, ``angles``, ``analyze`` and ``review``.

Images and videos of odd shapes, codecs and damage are made on the fly (see ``odd_media``).
Each must give a clear message or a result, never a traceback, and every output file must be
complete or absent. Clips are tiny and short (``--until``), so the whole set runs in well
under a minute.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import odd_media as odd
import pytest

from aligncheck.cli import main
from aligncheck.errors import SourceError
from aligncheck.sources import VideoSource, read_image

UNREADABLE_IMAGE = "cannot be read as an image"
DAMAGED_VIDEO = "cannot be opened as a video"

#: name -> (maker, what the user is told; "" = a result)
IMAGES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "alpha.png": (odd.alpha_png, ""),
    "grey.png": (odd.grey_png, ""),
    "deep_16bit.png": (odd.png_16bit, ""),
    "one_pixel.png": (lambda p: odd.png(p, odd.scene(1, 1)), ""),
    "one_pixel_wide.png": (lambda p: odd.png(p, odd.scene(1, 300)), ""),
    "wide_16k.png": (lambda p: odd.png(p, odd.scene(16384, 8)), ""),
    "tall_16k.png": (lambda p: odd.png(p, odd.scene(4, 16384)), ""),
    "damaged.jpg": (odd.damaged_jpeg, ""),
    "cut.jpg": (odd.cut_jpeg, UNREADABLE_IMAGE),
    "garbage.jpg": (odd.garbage, UNREADABLE_IMAGE),
    "empty.png": (lambda p: odd.garbage(p, 0), "the file is empty (0 bytes)"),
    "a_video.jpg": (lambda p: odd.video(p.with_suffix(".mp4")).rename(p), UNREADABLE_IMAGE),
}

#: name -> (maker, what the user is told; "" = analysed)
VIDEOS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "plain.mp4": (odd.video, ""),
    "one_pixel_high.mp4": (lambda p: odd.video(p, 64, 1, pix_fmt="yuv444p"), ""),
    "one_pixel_wide.mp4": (lambda p: odd.video(p, 1, 64, pix_fmt="yuv444p"), ""),
    "odd_size.mp4": (lambda p: odd.video(p, 33, 17, pix_fmt="yuv444p"), ""),
    "wide_16k.mp4": (lambda p: odd.video(p, 16384, 16, frames=2), ""),
    "mjpeg.avi": (lambda p: odd.video(p, codec="mjpeg", pix_fmt="yuvj420p"), ""),
    "variable_rate.mp4": (lambda p: odd.video(p, times=[0, 0.03, 0.07, 0.3, 0.31, 0.6]), ""),
    "rotated.mp4": (lambda p: odd.rotated_90(odd.video(p.with_name("r.tmp.mp4")), p), ""),
    "audio_only.mp4": (odd.audio_only, "has no video stream (it holds only audio)"),
    "zero_frames.mp4": (odd.zero_frames, "its video stream holds no frames"),
    "truncated_moov.mp4": (odd.truncated_moov, DAMAGED_VIDEO),
    "garbage.mp4": (odd.garbage, DAMAGED_VIDEO),
    "empty.mp4": (lambda p: odd.garbage(p, 0), "the file is empty (0 bytes)"),
}


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    """Every odd image and video, images and videos in folders of their own."""
    root = tmp_path_factory.mktemp("odd")
    made = {}
    for kind, table in (("images", IMAGES), ("videos", VIDEOS)):
        (root / kind).mkdir()
        for name, (make, _) in table.items():
            made[name if kind == "images" else f"v/{name}"] = make(root / kind / name)
        for scrap in (root / kind).glob("*.tmp.mp4"):
            scrap.unlink()
    made["videos"] = root / "videos"
    return made


def _plain(text: str) -> str:
    return " ".join(text.split())


def _no_native_noise(err: str) -> None:
    for noise in ("Traceback", "Corrupt JPEG", "Premature end", "[mov,mp4", "[h264", "libpng"):
        assert noise not in err


def assert_session_complete(folder: Path) -> None:
    """Every file of an analysed session is whole: the logs parse, the report ends, the video
    and the key frames decode, and no temporary file is left."""
    assert not list(folder.rglob("*.part"))
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    lines = (folder / "frames.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["type"] == "header"
    assert [json.loads(line)["i"] for line in lines[1:]] == list(range(summary["frames"]))
    assert (folder / "report.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    video = folder / "annotated.mp4"
    if video.exists():
        assert sum(1 for _ in VideoSource(video)) >= summary["frames"] - 1
    for still in (folder / "keyframes").glob("*.jpg"):
        assert cv2.imread(str(still)) is not None


@pytest.mark.parametrize("command", ["check", "angles"])
def test_odd_images_give_a_result_or_a_clear_error(media, tmp_path, capfd, command):
    names = list(IMAGES)
    out = tmp_path / "out"
    argv = [command, *(str(media[n]) for n in names), "--json", "--out", str(out)]
    assert main(argv) == 2  # some could not be read, and all the others were done
    captured = capfd.readouterr()
    _no_native_noise(captured.err)
    documents = json.loads(captured.out)
    assert [Path(d["file"]).name for d in documents] == names
    suffix = "check" if command == "check" else "pose"
    for name, document in zip(names, documents, strict=True):
        told = IMAGES[name][1]
        annotated = out / f"{Path(name).stem}_{suffix}.png"
        if told:
            assert told in document["error"] and told in _plain(captured.err)
            assert not annotated.exists()
        else:
            assert "error" not in document
            image = cv2.imread(str(annotated), cv2.IMREAD_UNCHANGED)
            assert image is not None and image.shape[:2] == read_image(media[name]).shape[:2]


@pytest.mark.parametrize("name", list(VIDEOS))
def test_odd_videos_give_a_report_or_a_clear_error(media, tmp_path, capfd, name):
    out = tmp_path / "out"
    code = main(["analyze", str(media[f"v/{name}"]), "--out", str(out), "--until", "0.5"])
    captured = capfd.readouterr()
    _no_native_noise(captured.err)
    told = VIDEOS[name][1]
    if told:
        assert code == 2 and f"{name}: {told}" in _plain(captured.err)
        assert not out.exists()  # refused before any work
        return
    assert code == 0, captured.err
    assert_session_complete(out)
    if name == "rotated.mp4":  # shown upright: 64x48 turned a quarter
        assert VideoSource(out / "annotated.mp4").info.width == 48


def test_review_of_the_odd_folder_lists_every_clip(media, tmp_path, capfd):
    out = tmp_path / "review"
    explicit = media["alpha.png"]  # named on the command line: a row saying it is no video
    assert main(["review", str(media["videos"]), str(explicit), "--out", str(out)]) == 0
    captured = capfd.readouterr()
    _no_native_noise(captured.err + captured.out)
    with (out / "index.csv").open(encoding="utf-8", newline="") as handle:
        rows = {row["clip"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {*VIDEOS, "alpha.png"}
    assert "not a video file" in rows["alpha.png"]["reason"]
    for name, (_, told) in VIDEOS.items():
        row = rows[name]
        if told:
            assert row["status"] == "skipped" and told in row["reason"], row
        else:
            assert row["status"] == "analysed", row
            assert_session_complete(out / Path(row["report_href"]).parent)
    assert (out / "index.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


# ---------------------------------------------------------------------------------------------
# Random damage, without the model: a result or a SourceError, nothing else
# ---------------------------------------------------------------------------------------------


def _damaged_copies(data: bytes, seed: int, count: int = 12) -> list[bytes]:
    """Cut at random points, and with random bytes overwritten."""
    rng = np.random.default_rng(seed)
    copies = [data[: int(cut)] for cut in rng.integers(1, len(data), count // 2)]
    for _ in range(count - len(copies)):
        damaged = bytearray(data)
        start = int(rng.integers(0, len(data) - 64))
        damaged[start : start + 64] = rng.integers(0, 256, 64, np.uint8).tobytes()
        copies.append(bytes(damaged))
    return copies


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_randomly_damaged_images(tmp_path, suffix):
    good = odd.png(tmp_path / f"good{suffix}", odd.scene(120, 90))
    for n, data in enumerate(_damaged_copies(good.read_bytes(), seed=len(suffix))):
        path = tmp_path / f"damaged_{n}{suffix}"
        path.write_bytes(data)
        try:
            image = read_image(path)
        except SourceError as exc:
            assert path.name in str(exc)
        else:
            assert image.ndim == 3 and image.shape[2] == 3


@pytest.mark.parametrize("faststart", [True, False], ids=["index-first", "index-last"])
def test_randomly_damaged_videos(tmp_path, faststart):
    good = odd.video(tmp_path / "good.mp4", frames=6, faststart=faststart)
    for n, data in enumerate(_damaged_copies(good.read_bytes(), seed=int(faststart))):
        path = tmp_path / f"damaged_{n}.mp4"
        path.write_bytes(data)
        try:
            frames = list(VideoSource(path))
        except SourceError as exc:
            assert path.name in str(exc)
        else:
            assert all(f.image.ndim == 3 for f in frames)


# ---------------------------------------------------------------------------------------------
# Damaged frame logs for --from-landmarks
# ---------------------------------------------------------------------------------------------

HEADER = {"type": "header", "schema_version": 1, "width": 64, "height": 48, "fps": 10.0}
NOBODY = {"t": 0.0, "i": 0, "landmarks": None}


@pytest.mark.parametrize(
    ("lines", "told"),
    [
        ([HEADER, {"t": "soon", "i": 0}], "line 2 is not a frame"),
        ([HEADER, NOBODY, [1, 2, 3]], "line 3 is not a frame"),
        ([HEADER, {"t": 0.1, "i": 0, "landmarks": [[1, 2]]}], "line 2 is not a frame"),
        ([{**HEADER, "width": None}, NOBODY], "the header has no valid width and height"),
        ([[]], "not an aligncheck frame log"),
        (["not json"], "not an aligncheck frame log"),
    ],
    ids=["text-time", "list-line", "short-landmarks", "no-width", "list-header", "text"],
)
def test_damaged_frame_logs_are_a_clear_error(tmp_path, capfd, lines, told):
    log = tmp_path / "frames.jsonl"
    text = [line if isinstance(line, str) else json.dumps(line) for line in lines]
    log.write_text("\n".join(text) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["analyze", "--from-landmarks", str(log), "--out", str(out)]) == 2
    err = _plain(capfd.readouterr().err)
    assert f"frames.jsonl: {told}" in err and "Traceback" not in err
    assert not (out / "summary.json").exists() and not (out / "report.html").exists()
