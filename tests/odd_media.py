"""Odd and damaged inputs made on the fly (PyAV, OpenCV), for the bad-input and fuzz tests.

Every maker writes one small file and returns its path; nothing here needs a fixture file.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np


def scene(width: int, height: int, seed: int = 0) -> np.ndarray:
    """A BGR picture with some structure (a wall, a floor, a dark block) and noise."""
    rng = np.random.default_rng(seed)
    image = np.empty((height, width, 3), np.uint8)
    image[: height * 2 // 3] = (190, 200, 205)
    image[height * 2 // 3 :] = (70, 110, 150)
    image[height // 4 : height // 2, width // 3 : width // 2] = (60, 60, 90)
    noise = rng.integers(-6, 7, image.shape)
    return np.clip(image.astype(int) + noise, 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------- videos


def video(
    path: Path,
    width: int = 64,
    height: int = 48,
    frames: int = 4,
    fps: int | Fraction = 10,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    faststart: bool = True,
    times: list[float] | None = None,
) -> Path:
    """A short clip; ``times`` (seconds) gives each frame's own time (variable frame rate)."""
    options = {"movflags": "+faststart"} if faststart and path.suffix == ".mp4" else {}
    count = len(times) if times is not None else frames
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        if codec == "libx264":
            stream.options = {"preset": "ultrafast"}
        if times is not None:
            stream.codec_context.time_base = Fraction(1, 1000)
        for i in range(count):
            frame = av.VideoFrame.from_ndarray(scene(width, height, i), format="bgr24")
            if times is not None:
                frame.pts, frame.time_base = round(times[i] * 1000), Fraction(1, 1000)
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def _silence(container: av.container.OutputContainer) -> None:
    stream = container.add_stream("aac", rate=16000)
    for i in range(8):
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 1024), np.float32), format="fltp", layout="mono"
        )
        frame.sample_rate, frame.pts = 16000, i * 1024
        container.mux(stream.encode(frame))
    container.mux(stream.encode())


def audio_only(path: Path) -> Path:
    """An .mp4 holding half a second of silence and no video stream."""
    with av.open(str(path), "w") as container:
        _silence(container)
    return path


def zero_frames(path: Path) -> Path:
    """An .mp4 whose H.264 video stream holds no frame (a fragmented file keeps the empty
    track; a few audio packets make the muxer write its header)."""
    with av.open(str(path), "w", options={"movflags": "frag_keyframe+empty_moov"}) as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        _silence(container)
    return path


def truncated_moov(path: Path) -> Path:
    """A clip cut in half with its index (moov) at the end: the index is lost."""
    video(path, frames=20, faststart=False)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def rotated_90(source: Path, target: Path) -> Path:
    """A copy of an mp4 whose track header says "display rotated by 90°", like a phone's."""
    data = bytearray(source.read_bytes())
    box = data.find(b"tkhd") - 4
    matrix = box + (48 if data[box + 8] == 0 else 60)  # after the version 0 / 1 fields
    rotation = (0, 0x10000, 0, 0xFFFF0000, 0, 0, 0, 0, 0x40000000)
    data[matrix : matrix + 36] = struct.pack(">9I", *rotation)
    target.write_bytes(bytes(data))
    return target


# --------------------------------------------------------------------------- images


def png(path: Path, image: np.ndarray) -> Path:
    """Write ``image`` (any channels, 8 or 16 bits) as a PNG."""
    assert cv2.imwrite(str(path), image)
    return path


def alpha_png(path: Path) -> Path:
    """A BGRA PNG: the left half transparent."""
    image = np.dstack([scene(80, 60), np.full((60, 80), 255, np.uint8)])
    image[:, :40, 3] = 0
    return png(path, image)


def grey_png(path: Path) -> Path:
    return png(path, cv2.cvtColor(scene(80, 60), cv2.COLOR_BGR2GRAY))


def png_16bit(path: Path) -> Path:
    return png(path, scene(80, 60).astype(np.uint16) * 257)


def _jpeg_bytes() -> bytes:
    ok, encoded = cv2.imencode(".jpg", scene(200, 150))
    assert ok
    return encoded.tobytes()


def damaged_jpeg(path: Path) -> Path:
    """A JPEG with bytes overwritten in its middle: it decodes, and libjpeg complains."""
    data = bytearray(_jpeg_bytes())
    middle = len(data) // 2
    data[middle : middle + 50] = b"\xff" * 50
    path.write_bytes(bytes(data))
    return path


def cut_jpeg(path: Path) -> Path:
    """The first 40% of a JPEG: nothing can be decoded."""
    data = _jpeg_bytes()
    path.write_bytes(data[: len(data) * 2 // 5])
    return path


def garbage(path: Path, size: int = 3000) -> Path:
    """Random bytes under any name."""
    path.write_bytes(np.random.default_rng(size).integers(0, 256, size, np.uint8).tobytes())
    return path


Maker = Callable[[Path], Path]
