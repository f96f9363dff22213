"""The live screen and keyboard behind a small interface, so tests can drive the loop.

:class:`Display` is what the loop needs: ``show`` an image and poll a ``key``. :class:`CvWindow`
is a real OpenCV window; :class:`NoWindow` is the headless ``--no-window`` mode.
"""

from __future__ import annotations

import time
from typing import Protocol

import numpy as np

WINDOW_TITLE = "aligncheck live"


class Display(Protocol):
    """A screen and a keyboard: ``show`` an image, poll the last ``key`` pressed (or None).

    Keys are reported as "q", "esc", "space", "s", "r", "v", "a" (other keys as their
    character); ``closed`` becomes True when the user closed the window.
    """

    closed: bool

    def show(self, image: np.ndarray) -> None: ...

    def key(self, wait_ms: int = 1) -> str | None: ...

    def close(self) -> None: ...


class NoWindow:
    """Headless: nothing is shown and no key is ever pressed (quit with Ctrl-C)."""

    closed = False

    def show(self, image: np.ndarray) -> None:
        """Nothing to show on."""

    def key(self, wait_ms: int = 1) -> str | None:
        """No keyboard: sleeps ``wait_ms`` when asked to wait (so pauses do not spin)."""
        if wait_ms > 1:
            time.sleep(wait_ms / 1000.0)
        return None

    def close(self) -> None:
        """Nothing to close."""


class CvWindow:
    """An OpenCV window (``cv2.imshow``) with its keyboard (``cv2.waitKey``)."""

    def __init__(self, title: str = WINDOW_TITLE) -> None:
        import cv2

        self.title = title
        self.closed = False
        self._shown = False
        self._cv2 = cv2
        cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)

    def show(self, image: np.ndarray) -> None:
        """Show ``image`` (BGR); the first call sizes the window to it."""
        if not self._shown:
            self._cv2.resizeWindow(self.title, image.shape[1], image.shape[0])
        self._cv2.imshow(self.title, image)
        self._shown = True

    def key(self, wait_ms: int = 1) -> str | None:
        """The key pressed since the last call (lets the window redraw for ``wait_ms``)."""
        code = self._cv2.waitKey(max(1, wait_ms))
        if self._shown and self._cv2.getWindowProperty(self.title, self._cv2.WND_PROP_VISIBLE) < 1:
            self.closed = True
        if code < 0:
            return None
        code &= 0xFF
        return {27: "esc", 32: "space"}.get(code, chr(code).lower())

    def close(self) -> None:
        """Close the window (idempotent)."""
        if not self.closed or self._shown:
            self._cv2.destroyWindow(self.title)
            self._cv2.waitKey(1)
        self.closed = True
