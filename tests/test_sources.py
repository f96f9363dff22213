"""Image, video and camera sources: precise errors for bad inputs, honest frames for good ones.

Videos are written on the fly with PyAV (H.264 in mp4), so no binary fixtures are needed.
"""

from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from aligncheck.errors import SourceError
from aligncheck.sources import (
    EMPTY_FILE,
    CameraSource,
    ImageSource,
    VideoSource,
    open_source,
    read_image,
)

WIDTH, HEIGHT = 160, 120
FRAMES = 60


def write_video(
    path: Path, frames: int = FRAMES, rate: int | Fraction = 30, faststart: bool = False
) -> Path:
    """An H.264 mp4 of moving gradients and noise on a blue background (BGR)."""
    rng = np.random.default_rng(0)
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        ramp = np.arange(WIDTH, dtype=np.int64)[None, :]
        for i in range(frames):
            image = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
            image[..., 0] = 200  # blue
            image[: HEIGHT // 2, :, 1] = (ramp + 4 * i) % 256  # moving green gradient
            noise = rng.integers(0, 80, (HEIGHT // 2, WIDTH), dtype=np.uint8)
            image[HEIGHT // 2 :, :, 2] = noise  # red noise below
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.fixture(scope="module")
def videos(tmp_path_factory) -> dict[str, Path]:
    """A good 30 fps mp4 in both layouts (index at the end / at the start) and truncated copies."""
    folder = tmp_path_factory.mktemp("videos")
    out: dict[str, Path] = {}
    for layout, faststart in (("moov_end", False), ("faststart", True)):
        good = write_video(folder / f"{layout}.mp4", faststart=faststart)
        data = good.read_bytes()
        assert len(data) > 8 * 2048, "the test video must be well over 2 KB"
        out[layout] = good
        half = folder / f"{layout}_half.mp4"
        half.write_bytes(data[: len(data) // 2])
        out[f"{layout}_half"] = half
        small = folder / f"{layout}_2k.mp4"
        small.write_bytes(data[:2048])
        out[f"{layout}_2k"] = small
    return out


# ---------------------------------------------------------------------------------------------
# Bad inputs
# ---------------------------------------------------------------------------------------------


def _raises_naming(path: Path, func, *args):
    with pytest.raises(SourceError) as info:
        func(*args)
    assert path.name in str(info.value)
    return info.value


def test_missing_image(tmp_path):
    missing = tmp_path / "nobody.jpg"
    error = _raises_naming(missing, ImageSource, [missing])
    assert "no such file" in str(error)
    _raises_naming(missing, open_source, missing)
    _raises_naming(missing, read_image, missing)


def test_directory_is_not_an_image_or_a_video(tmp_path):
    folder = tmp_path / "shots.jpg"
    folder.mkdir()
    error = _raises_naming(folder, ImageSource, [folder])
    assert "not a file" in str(error)
    _raises_naming(folder, open_source, folder)
    plain = tmp_path / "clips"
    plain.mkdir()
    _raises_naming(plain, VideoSource, plain)
    _raises_naming(plain, open_source, str(plain))


def test_text_file_with_jpg_suffix(tmp_path):
    fake = tmp_path / "photo.jpg"
    fake.write_text("this is not a JPEG\n" * 20)
    _raises_naming(fake, read_image, fake)
    source = ImageSource([fake])  # existence is checked up front, decoding while iterating
    with pytest.raises(SourceError, match=r"photo\.jpg"):
        next(iter(source))


def test_empty_image_file(tmp_path):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    error = _raises_naming(empty, read_image, empty)
    assert str(error) == f"{empty}: {EMPTY_FILE}."  # worded as for an empty video


def test_an_empty_file_is_worded_the_same_as_image_and_as_video(tmp_path):
    for name in ("empty.jpg", "empty.mp4"):
        empty = tmp_path / name
        empty.write_bytes(b"")
        reader = read_image if name.endswith(".jpg") else VideoSource
        assert str(_raises_naming(empty, reader, empty)) == f"{empty}: {EMPTY_FILE}."


def test_missing_video(tmp_path):
    missing = tmp_path / "session.mp4"
    _raises_naming(missing, VideoSource, missing)
    _raises_naming(missing, open_source, missing)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"just some text, not a video\n" * 50, id="text"),
        pytest.param(b"", id="empty"),
        pytest.param(bytes(range(256)) * 64, id="binary-junk"),
    ],
)
def test_non_video_with_mp4_suffix(tmp_path, content):
    fake = tmp_path / "clip.mp4"
    fake.write_bytes(content)
    _raises_naming(fake, VideoSource, fake)
    _raises_naming(fake, open_source, str(fake))


@pytest.mark.parametrize("layout", ["moov_end", "faststart"])
def test_video_truncated_to_2kb_raises_at_open(videos, layout):
    small = videos[f"{layout}_2k"]
    _raises_naming(small, VideoSource, small)


def test_half_video_with_index_at_the_end_raises_at_open(videos):
    # The container index (moov) is written last by default, so half a file has none.
    half = videos["moov_end_half"]
    error = _raises_naming(half, VideoSource, half)
    assert "cannot be opened as a video" in str(error)


def test_half_video_with_index_first_yields_fewer_frames_and_is_flagged(videos):
    half = videos["faststart_half"]
    source = VideoSource(half)  # the index is intact, so it opens
    assert source.info.frame_count == FRAMES
    assert not source.truncated
    frames = list(source)
    assert 0 < len(frames) < FRAMES
    assert source.frames_read == len(frames)
    assert source.truncated
    assert [f.index for f in frames] == list(range(len(frames)))


def test_full_video_is_not_flagged_truncated(videos):
    for layout in ("moov_end", "faststart"):
        source = VideoSource(videos[layout])
        assert len(list(source)) == FRAMES
        assert not source.truncated


def test_stopping_early_does_not_flag_truncation(videos):
    source = VideoSource(videos["moov_end"])
    for frame in source:
        if frame.index == 4:
            break
    assert not source.truncated


def _raises_within(seconds: float, func, *args) -> BaseException | None:
    """Run ``func`` in a thread; fail if it has not finished after ``seconds``."""
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            func(*args)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{func.__name__}{args} still running after {seconds} s"
    return outcome[0]


@pytest.mark.parametrize(
    ("func", "arg"),
    [
        pytest.param(CameraSource, 99, id="CameraSource"),
        pytest.param(open_source, 99, id="open_source-int"),
        pytest.param(open_source, "99", id="open_source-digits"),
    ],
)
def test_missing_camera_raises_quickly(func, arg):
    error = _raises_within(20.0, func, arg)
    assert isinstance(error, SourceError), error
    assert "Camera 99" in str(error)


# ---------------------------------------------------------------------------------------------
# Good inputs
# ---------------------------------------------------------------------------------------------


def _test_card() -> np.ndarray:
    """Left half pure blue, right half pure red (BGR), a green square in the middle."""
    image = np.zeros((48, 64, 3), np.uint8)
    image[:, :32] = (255, 0, 0)
    image[:, 32:] = (0, 0, 255)
    image[16:32, 24:40] = (0, 255, 0)
    return image


@pytest.mark.parametrize(
    ("suffix", "tolerance"),
    [(".png", 0), (".jpg", 40), (".jpeg", 40), (".webp", 40), (".bmp", 0)],
)
def test_image_formats_read_as_bgr(tmp_path, suffix, tolerance):
    card = _test_card()
    path = tmp_path / f"card{suffix}"
    assert cv2.imwrite(str(path), card)
    image = read_image(path)
    assert image.shape == card.shape
    assert image.dtype == np.uint8
    diff = np.abs(image.astype(int) - card.astype(int))
    assert diff[4:-4, 4:20].max() <= tolerance  # blue, far from edges
    assert image[24, 8, 0] > 200 and image[24, 8, 2] < 60  # blue, not red: BGR order kept
    assert image[24, 56, 2] > 200 and image[24, 56, 0] < 60


def test_greyscale_png_reads_as_three_channels(tmp_path):
    path = tmp_path / "grey.png"
    cv2.imwrite(str(path), np.full((10, 12), 77, np.uint8))
    image = read_image(path)
    assert image.shape == (10, 12, 3)
    assert (image == 77).all()


def test_image_source_yields_frames_with_zero_timestamp_and_index(tmp_path):
    paths = []
    for i, suffix in enumerate((".png", ".jpg", ".webp")):
        path = tmp_path / f"shot{i}{suffix}"
        cv2.imwrite(str(path), _test_card())
        paths.append(path)
    source = ImageSource(paths)
    frames = list(source)
    assert [f.index for f in frames] == [0, 1, 2]
    assert [f.timestamp for f in frames] == [0.0, 0.0, 0.0]
    assert [f.source for f in frames] == [str(p) for p in paths]
    assert all(f.image.shape == (48, 64, 3) for f in frames)
    assert all(f.size == (64, 48) for f in frames)
    for frame in frames:  # left half blue, right half red, in BGR order
        assert frame.image[24, 8, 0] > 200 > frame.image[24, 8, 2]
        assert frame.image[24, 56, 2] > 200 > frame.image[24, 56, 0]
    assert source.name == "shot0.png, shot1.jpg, shot2.webp"


@pytest.mark.parametrize(
    ("rate", "fps"),
    [
        pytest.param(25, 25.0, id="25fps"),
        pytest.param(Fraction(30000, 1001), 30000 / 1001, id="29.97fps"),
    ],
)
def test_video_timestamps_are_index_over_float_fps(tmp_path, rate, fps):
    count = 30
    path = write_video(tmp_path / "clip.mp4", frames=count, rate=rate)
    source = VideoSource(path)
    assert source.info.fps == pytest.approx(fps, rel=1e-9)
    assert source.info.frame_count == count
    assert (source.info.width, source.info.height) == (WIDTH, HEIGHT)
    assert source.info.duration == pytest.approx(count / fps, rel=1e-9)
    frames = list(source)
    assert len(frames) == count
    assert source.frames_read == count
    assert not source.truncated
    assert [f.index for f in frames] == list(range(count))
    for frame in frames:
        assert frame.timestamp == frame.index / source.info.fps  # exact, no accumulated error
        assert frame.timestamp == pytest.approx(frame.index / fps, abs=1e-12)
        assert frame.source == str(path)
    assert frames[-1].timestamp == pytest.approx((count - 1) / fps)
    image = frames[0].image
    assert image.shape == (HEIGHT, WIDTH, 3)
    assert image[..., 0].mean() > 150 > image[..., 2].mean()  # blue background: BGR order
    assert not np.array_equal(frames[0].image, frames[1].image)  # frames really move


def test_video_can_be_iterated_twice(videos):
    source = VideoSource(videos["faststart"])
    assert len(list(source)) == len(list(source)) == FRAMES


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.png", ImageSource),
        ("a.JPG", ImageSource),
        ("a.jpeg", ImageSource),
        ("a.webp", ImageSource),
        ("a.mp4", VideoSource),
        ("a.MP4", VideoSource),
        ("a.mov", VideoSource),
    ],
)
def test_open_source_dispatches_on_suffix(tmp_path, videos, name, expected):
    path = tmp_path / name
    if expected is ImageSource:
        cv2.imwrite(str(path.with_suffix(".png")), _test_card())
        path.with_suffix(".png").rename(path)
    else:
        path.write_bytes(videos["faststart"].read_bytes())
    for spec in (path, str(path)):
        source = open_source(spec)
        assert type(source) is expected
        assert len(list(source)) == (1 if expected is ImageSource else FRAMES)


def test_open_source_takes_a_list_of_images(tmp_path):
    paths = [tmp_path / "a.png", tmp_path / "b.png"]
    for path in paths:
        cv2.imwrite(str(path), _test_card())
    source = open_source(paths)
    assert isinstance(source, ImageSource)
    assert [f.index for f in source] == [0, 1]
