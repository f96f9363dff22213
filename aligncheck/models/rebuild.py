"""Rebuild ``pose_landmarker_full.task`` byte for byte from the mediapipe 0.10.21 wheel.

Maintainer tool, not used at run time. Current mediapipe wheels ship no model file, but the
0.10.21 wheel bundles the two Apache-2.0 TFLite models of the BlazePose "full" pipeline. A Tasks
API ``.task`` bundle is an uncompressed zip of those two models, each carrying TFLite metadata
that tells MediaPipe how to normalise the input image:

* ``pose_detector.tflite``: ``modules/pose_detection/pose_detection.tflite``, input mean 127.5,
  std 127.5 (pixels mapped to [-1, 1]);
* ``pose_landmarks_detector.tflite``: ``modules/pose_landmark/pose_landmark_full.tflite``,
  input mean 0, std 255 (pixels mapped to [0, 1]).

Each output tensor gets a plain feature-output entry. The zip members carry a fixed timestamp so
that the result is reproducible; the script prints the sha256, which must match ``SHA256``.

Usage::

    pip download --no-deps --only-binary=:all: --python-version 3.11 mediapipe==0.10.21 -d /tmp/mp
    python -m aligncheck.models.rebuild /tmp/mp/mediapipe-0.10.21-*.whl

"""

from __future__ import annotations

import argparse
import hashlib
import sys
import types
import zipfile
from pathlib import Path

DETECTOR_MEMBER = "mediapipe/modules/pose_detection/pose_detection.tflite"
LANDMARKER_MEMBER = "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"
ZIP_DATE = (2024, 1, 1, 0, 0, 0)
OUTPUT = Path(__file__).with_name("pose_landmarker_full.task")


def _install_version_stub() -> None:
    """Stand in for ``_pywrap_metadata_version``, which mediapipe 1.x wheels no longer ship.

    The metadata we write uses only schema features of parser version 1.0.0.
    """
    names = [
        "mediapipe.tasks.cc",
        "mediapipe.tasks.cc.metadata",
        "mediapipe.tasks.cc.metadata.python",
    ]
    for name in names:
        if name not in sys.modules:
            sys.modules[name] = types.ModuleType(name)
    stub = types.ModuleType("mediapipe.tasks.cc.metadata.python._pywrap_metadata_version")
    stub.GetMinimumMetadataParserVersion = lambda _buffer: "1.0.0"  # type: ignore[attr-defined]
    sys.modules[stub.__name__] = stub
    sys.modules["mediapipe.tasks.cc.metadata.python"]._pywrap_metadata_version = stub  # type: ignore[attr-defined]


def _with_metadata(model: bytes, name: str, mean: float, std: float) -> bytes:
    _install_version_stub()
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer, writer_utils

    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(model_name=name, model_description=f"BlazePose {name} (Apache-2.0)")
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    for _ in writer_utils.get_output_tensor_types(bytearray(model)):
        writer.add_feature_output()
    buffer, _json = writer.populate()
    del writer  # its __del__ cleans a temp dir; run it while the interpreter is alive
    return bytes(buffer)


def build(wheel: Path, output: Path = OUTPUT) -> str:
    """Write the task bundle built from ``wheel`` to ``output`` and return its sha256."""
    with zipfile.ZipFile(wheel) as source:
        detector = source.read(DETECTOR_MEMBER)
        landmarker = source.read(LANDMARKER_MEMBER)
    members = {
        "pose_detector.tflite": _with_metadata(detector, "pose_detector", 127.5, 127.5),
        "pose_landmarks_detector.tflite": _with_metadata(
            landmarker, "pose_landmarks_detector", 0.0, 255.0
        ),
    }
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_STORED) as bundle:
        for member, data in members.items():
            info = zipfile.ZipInfo(member, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            bundle.writestr(info, data)
    return hashlib.sha256(output.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="mediapipe-0.10.21 wheel file")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    print(build(args.wheel, args.output), args.output)


if __name__ == "__main__":
    main()
