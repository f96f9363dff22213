"""Annotators: they read frozen values and draw; they never decide anything."""

from aligncheck.draw.skeleton import draw_angles, draw_label, draw_skeleton
from aligncheck.draw.style import DEFAULT_STYLE, Style

__all__ = ["DEFAULT_STYLE", "Style", "draw_angles", "draw_label", "draw_skeleton"]
