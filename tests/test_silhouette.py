"""The back's profile from a person mask, and its curve: known answers on drawn masks.

A "back" is drawn in coordinates along the hips-to-shoulders chord (u, from the hips, pixels)
and away from it on the dorsal side (v, pixels), then placed in the image at any slant: a
straight bar has the same profile at every station and no curve; a bar whose back arches by
``h`` pixels at the middle (a parabola) has a curve of 0.75 h / chord length: the mean of
``1 - (2 s - 1)**2`` over the 7 middle stations of 9.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from aligncheck import geometry as g
from aligncheck.estimate.silhouette import STATIONS, back_profile, stations

SIZE = (480, 640)  # mask rows, columns
CHORD = 200.0  # pixels from the hips to the shoulders
THICK = 40.0  # pixels from the chord to a straight back
BELLY = 60.0  # pixels from the chord to the front of the body


def _frame(angle: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hips, chord direction (unit) and dorsal direction (unit) for a chord slanted by
    ``angle`` degrees from the image's x axis, dorsal side up in the picture at angle 0."""
    hips = np.array([220.0, 300.0])
    rad = math.radians(angle)
    along = np.array([math.cos(rad), -math.sin(rad)])
    dorsal = np.array([-math.sin(rad), -math.cos(rad)])
    return hips, along, dorsal


def _mask(angle: float, back: callable, hole_at: float | None = None) -> np.ndarray:
    """A body from u = -40 to CHORD + 40 px, between v = -BELLY and v = back(u)."""
    hips, along, dorsal = _frame(angle)
    rows, cols = np.mgrid[0 : SIZE[0], 0 : SIZE[1]].astype(float)
    rel = np.stack([cols - hips[0], rows - hips[1]], axis=-1)
    u, v = rel @ along, rel @ dorsal
    inside = (u >= -40) & (u <= CHORD + 40) & (v >= -BELLY) & (v <= back(u))
    if hole_at is not None:
        inside &= np.abs(v - hole_at) > 0.5
    return inside.astype(np.float32)


def _points(angle: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    hips, along, dorsal = _frame(angle)
    return hips, hips + CHORD * along, hips + 0.5 * CHORD * along - 120 * dorsal


def _arch(height: float) -> callable:
    return lambda u: THICK + height * (1 - (2 * u / CHORD - 1) ** 2)


@pytest.mark.parametrize("angle", [0.0, 30.0, -55.0, 140.0])
def test_a_straight_bar_has_the_same_profile_everywhere_and_no_curve(angle: float) -> None:
    profile = back_profile(_mask(angle, lambda u: THICK + 0 * u), *_points(angle))
    assert profile.shape == (STATIONS,)
    np.testing.assert_allclose(profile, THICK / CHORD, atol=1.0 / CHORD)
    assert g.back_curve(profile) == pytest.approx(0.0, abs=1.0 / CHORD)


@pytest.mark.parametrize("angle", [0.0, 30.0, -55.0, 140.0])
@pytest.mark.parametrize("height", [10.0, 30.0])
def test_an_arched_bar_bulges_by_its_arch(angle: float, height: float) -> None:
    profile = back_profile(_mask(angle, _arch(height)), *_points(angle))
    expected = (THICK + height * (1 - (2 * stations() - 1) ** 2)) / CHORD
    np.testing.assert_allclose(profile, expected, atol=1.0 / CHORD)
    assert g.back_curve(profile) == pytest.approx(0.75 * height / CHORD, abs=1.0 / CHORD)


def test_a_back_slanted_against_the_chord_is_still_straight() -> None:
    profile = back_profile(_mask(0.0, lambda u: 20 + 0.25 * u), *_points(0.0))
    assert profile[-1] - profile[0] == pytest.approx(0.25, abs=0.01)
    assert g.back_curve(profile) == pytest.approx(0.0, abs=1.0 / CHORD)


def test_the_dorsal_side_is_the_side_away_from_the_knees() -> None:
    mask = _mask(0.0, _arch(30.0))
    hips, shoulders, knees = _points(0.0)
    belly_side = back_profile(mask, hips, shoulders, hips + shoulders - knees)
    np.testing.assert_allclose(belly_side, BELLY / CHORD, atol=1.0 / CHORD)


def test_a_one_pixel_hole_is_not_the_edge() -> None:
    profile = back_profile(_mask(0.0, _arch(30.0), hole_at=20.0), *_points(0.0))
    assert g.back_curve(profile) == pytest.approx(0.75 * 30.0 / CHORD, abs=1.0 / CHORD)


def test_where_the_chord_runs_outside_the_body_the_back_is_found_beyond() -> None:
    mask = _mask(0.0, _arch(30.0))
    mask[300 - 12 : 300 + 70, 260:380] = 0.0  # the belly curves away above the chord
    profile = back_profile(mask, *_points(0.0))
    expected = (THICK + 30.0 * (1 - (2 * stations() - 1) ** 2)) / CHORD
    np.testing.assert_allclose(profile, expected, atol=1.0 / CHORD)


def test_an_outline_merging_with_the_background_is_not_found() -> None:
    hips, shoulders, knees = _points(0.0)
    profile = back_profile(np.ones(SIZE, np.float32), hips, shoulders, knees)
    assert np.isnan(profile).all()
    assert math.isnan(g.back_curve(profile))


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda h, s, k: (h, s, (h + s) / 2), "knees on the chord: no dorsal side"),
        (lambda h, s, k: (h, h + (s - h) * 0.02, k), "chord too short"),
        (lambda h, s, k: (h, s, k * np.nan), "knees unknown"),
        (lambda h, s, k: (h + 1000, s + 1000, k + 1000), "chord outside the picture"),
    ],
)
def test_no_profile_without_a_measurable_chord(change, why: str) -> None:
    profile = back_profile(_mask(0.0, _arch(30.0)), *change(*_points(0.0)))
    assert np.isnan(profile).all(), why


def test_a_back_leaving_the_picture_is_not_measured_there() -> None:
    hips, shoulders, knees = _points(0.0)
    shift = np.array([0.0, 300.0 - THICK - 15.0])  # the back's top edge at y = 15 px
    mask = _mask(0.0, _arch(30.0))
    lifted = np.zeros_like(mask)
    lifted[: SIZE[0] - int(shift[1])] = mask[int(shift[1]) :]
    profile = back_profile(lifted, hips - shift, shoulders - shift, knees - shift)
    assert np.isnan(profile[STATIONS // 2])  # the arch's top leaves the image
    assert np.isfinite(profile[0]) and np.isfinite(profile[-1])


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ([0.2, 0.2, 0.2], 0.0),
        ([0.1, 0.3, 0.2], 0.15),
        ([0.2, 0.1, 0.2], -0.1),
        ([0.0, 0.1, 0.3, 0.2, 0.0], 0.2),
        ([0.0, 0.4, 0.0, 0.0, 0.0], 0.4 / 3),  # one station caught on an arm counts a third
        ([0.2, math.nan, 0.2], math.nan),
    ],
)
def test_back_curve_known_answers(profile: list[float], expected: float) -> None:
    value = g.back_curve(np.array(profile))
    if math.isnan(expected):
        assert math.isnan(value)
    else:
        assert value == pytest.approx(expected)


def test_back_curve_of_a_circular_arc() -> None:
    turn = math.radians(50.0)
    radius = 1.0 / (2 * math.sin(turn / 2))  # chord length 1
    s = np.linspace(0.0, 1.0, 9)
    height = np.sqrt(radius**2 - (s - 0.5) ** 2) - radius * math.cos(turn / 2)
    sagitta = (1 - math.cos(turn / 2)) / (2 * math.sin(turn / 2))  # 0.111 chord lengths
    assert g.back_curve(0.1 + height) == pytest.approx(np.mean(height[1:-1]))
    assert g.back_curve(0.1 + height) == pytest.approx(0.084, abs=0.0005)
    assert 0.7 * sagitta < g.back_curve(0.1 + height) < 0.8 * sagitta


def test_back_curve_needs_three_stations() -> None:
    with pytest.raises(ValueError, match="K >= 3"):
        g.back_curve(np.array([0.1, 0.2]))
