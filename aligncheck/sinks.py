"""Where results go: output folders and image files, with clear errors when unwritable."""

from __future__ import annotations

import tempfile
from pathlib import Path

import cv2
import numpy as np

from aligncheck.errors import OutputError


def ensure_output_dir(path: Path | str) -> Path:
    """Create ``path`` if needed and prove it writable; raise ``OutputError`` otherwise.

    Called before any work starts, so a long run never fails at its first write.
    """
    folder = Path(path).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except FileExistsError as exc:
        raise OutputError(f"Output folder {folder}: a file of that name is in the way.") from exc
    except OSError as exc:
        raise OutputError(
            f"Output folder {folder} is not writable ({exc.strerror or exc}). "
            "Choose another folder with --out."
        ) from exc
    return folder


def write_image(path: Path, image: np.ndarray) -> Path:
    """Write a BGR image; the format follows the suffix (.png, .jpg, .webp)."""
    ok, encoded = cv2.imencode(path.suffix or ".png", image)
    if not ok:
        raise OutputError(f"{path}: cannot encode an image with suffix {path.suffix!r}.")
    try:
        path.write_bytes(encoded.tobytes())
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror or exc}).") from exc
    return path
