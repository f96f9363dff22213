"""The synthetic practitioner's head: skull, hair and face features, with their colours.

:func:`head_parts` gives the head and hair ellipsoids and the face :class:`Decal` values;
:func:`hair_extras` the pieces of a hair style (see :data:`~aligncheck.synth.shapes.HAIR_STYLES`).
Geometry conventions as in :mod:`aligncheck.synth.shapes`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aligncheck.synth.body import Skeleton
from aligncheck.synth.shapes import BGR, Ellipsoid, Palette, oriented, sphere


@dataclass(frozen=True, eq=False)
class HairPiece:
    """A piece of hair drawn with the head: the hull of ``first`` and ``second``, painted over
    the head when the back of the head faces the camera more than ``over_head`` (the cosine
    between the head's backward axis and the direction to the camera), else behind it."""

    first: Ellipsoid
    second: Ellipsoid
    over_head: float


def hair_extras(skeleton: Skeleton, palette: Palette | None = None) -> list[HairPiece]:
    """The hair style's pieces besides the original hair ellipsoid: none for ``short``; a cap
    over the crown and the back of the head for the other styles, plus a bun or a ponytail."""
    palette = palette or Palette()
    if palette.hair_style == "short":
        return []
    j, rot, s = skeleton.joints, skeleton.frames["head"], skeleton.body.scale
    cap = oriented(
        j["head"] + rot @ (np.array([-0.045, 0.0, 0.03]) * s),
        rot,
        np.array([0.075, 0.08, 0.105]) * s,
    )
    pieces = [HairPiece(cap, cap, -0.7)]
    if palette.hair_style == "bun":
        bun = sphere(j["head"] + rot @ (np.array([-0.1, 0.0, 0.075]) * s), 0.042 * s)
        pieces.append(HairPiece(bun, bun.shifted(rot[:, 0] * 0.012 * s, 0.9), 0.3))
    if palette.hair_style == "ponytail":
        tie = j["head"] + rot @ (np.array([-0.105, 0.0, 0.035]) * s)
        hang = (rot[:, 0] * -0.35 + np.array([0.0, 0.0, -1.0])) * 0.14 * s
        pieces.append(HairPiece(sphere(tie, 0.034 * s), sphere(tie + hang, 0.024 * s), 0.3))
    return pieces


@dataclass(frozen=True, eq=False)
class Decal:
    """A small flat feature on the head (eye, brow, mouth, ear, nose), drawn only when its
    ``normal`` (3,) faces the camera more than ``min_facing`` (cosine)."""

    shape: Ellipsoid
    colour: BGR
    normal: np.ndarray
    min_facing: float = 0.05


def head_parts(
    skeleton: Skeleton, palette: Palette | None = None
) -> tuple[Ellipsoid, Ellipsoid, list[Decal]]:
    """The head ellipsoid, the hair ellipsoid behind it, and the face decals in drawing order."""
    palette = palette or Palette()
    b, j = skeleton.body, skeleton.joints
    rot = skeleton.frames["head"]
    radii = b.ellipsoid("head")
    centre = j["head"] + rot @ (np.array([-0.01, 0.0, 0.01]) * b.scale)
    head = oriented(centre, rot, radii)
    hair = oriented(
        j["head"] + rot @ (np.array([-0.025, 0.0, 0.03]) * b.scale),
        rot,
        radii + np.array([0.008, 0.01, 0.0]) * b.scale,
    )
    fwd, left, up = rot[:, 0], rot[:, 1], rot[:, 2]
    s = b.scale
    decals: list[Decal] = []
    for side, sign in (("left", 1.0), ("right", -1.0)):
        eye = j[f"{side}_eye"]
        normal = (eye - centre) / np.linalg.norm(eye - centre)
        decals.append(
            Decal(
                Ellipsoid(
                    j[f"{side}_ear"], np.stack([fwd * 0.018, left * 0.008, up * 0.028], 1) * s
                ),
                palette.skin,
                sign * left,
                -0.3,
            )
        )
        decals.append(
            Decal(
                Ellipsoid(eye, np.stack([left * 0.012, up * 0.0065, fwd * 0.002], 1) * s),
                palette.eye_white,
                normal,
            )
        )
        decals.append(
            Decal(
                Ellipsoid(
                    eye + fwd * 0.002 * s,
                    np.stack([left * 0.0055, up * 0.0055, fwd * 0.002], 1) * s,
                ),
                palette.iris,
                normal,
            )
        )
        decals.append(
            Decal(
                Ellipsoid(
                    eye + up * 0.017 * s, np.stack([left * 0.015, up * 0.003, fwd * 0.002], 1) * s
                ),
                palette.brow,
                normal,
            )
        )
    mouth = (j["left_mouth"] + j["right_mouth"]) / 2.0
    half = np.linalg.norm(j["left_mouth"] - j["right_mouth"]) / 2.0
    decals.append(
        Decal(
            Ellipsoid(mouth, np.stack([left * half, up * 0.006 * s, fwd * 0.002 * s], 1)),
            palette.lips,
            fwd,
        )
    )
    decals.append(
        Decal(
            Ellipsoid(
                j["nose"] - fwd * 0.008 * s, np.stack([fwd * 0.016, left * 0.012, up * 0.02], 1) * s
            ),
            tuple(int(c * 0.92) for c in palette.skin),
            fwd,
            -0.6,
        )
    )  # type: ignore[arg-type]
    return head, hair, decals
