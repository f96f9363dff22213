"""Locating and checking pose landmarker ``.task`` bundles. Does not import mediapipe.

The default model, ``pose_landmarker_full.task``, ships inside the package (built by
``aligncheck.models.rebuild``); nothing is ever downloaded. Any other MediaPipe pose landmarker
bundle (the official lite or heavy ones) can be passed instead.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from aligncheck.errors import ModelError

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_MODEL = MODELS_DIR / "pose_landmarker_full.task"
DEFAULT_MODEL_SHA256 = "697fbea61abac3680f125abb5cbcc38566b8af79a60f3c4d1a5150bdbfda9927"

#: Members every pose landmarker bundle holds, each a TFLite flatbuffer.
REQUIRED_MEMBERS = ("pose_detector.tflite", "pose_landmarks_detector.tflite")
_EXPECTED = (
    "a MediaPipe pose landmarker bundle (.task: a zip holding "
    + " and ".join(REQUIRED_MEMBERS)
    + ", such as pose_landmarker_lite/full/heavy.task)"
)


@dataclass(frozen=True)
class ModelInfo:
    """A checked model bundle."""

    path: Path
    sha256: str
    size_bytes: int

    @property
    def is_default(self) -> bool:
        """True when this is the bundled model, byte for byte."""
        return self.sha256 == DEFAULT_MODEL_SHA256


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_model(path: Path | str | None = None) -> ModelInfo:
    """Check that ``path`` (default: the bundled model) is a usable pose landmarker bundle.

    Raises :class:`ModelError` naming the file and what was expected when it is missing, not a
    zip, truncated (a member fails its CRC check) or lacks the detector/landmarker models.
    """
    model = Path(path).expanduser() if path is not None else DEFAULT_MODEL
    if model.is_dir():
        raise ModelError(f"Model file {model} is a folder; expected {_EXPECTED}.")
    if not model.is_file():
        hint = (
            " The bundled model is missing from the installation; reinstall aligncheck."
            if path is None
            else ""
        )
        raise ModelError(f"Model file {model} does not exist; expected {_EXPECTED}.{hint}")
    try:
        with zipfile.ZipFile(model) as bundle:
            names = set(bundle.namelist())
            missing = [m for m in REQUIRED_MEMBERS if m not in names]
            if missing:
                raise ModelError(
                    f"Model file {model} lacks {', '.join(missing)}; expected {_EXPECTED}."
                )
            bad = bundle.testzip()
            if bad is not None:
                raise ModelError(f"Model file {model} is damaged ({bad} fails its checksum).")
            for member in REQUIRED_MEMBERS:
                with bundle.open(member) as handle:
                    if handle.read(8)[4:8] != b"TFL3":
                        raise ModelError(
                            f"Model file {model}: {member} is not a TFLite model; "
                            f"expected {_EXPECTED}."
                        )
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ModelError(
            f"Model file {model} is truncated or not a zip bundle ({exc}); expected {_EXPECTED}."
        ) from exc
    return ModelInfo(model, sha256_of(model), model.stat().st_size)
