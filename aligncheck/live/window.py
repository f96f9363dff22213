"""The live screen and keyboard behind a small interface, so tests can drive the loop.

:class:`Display` is what the loop needs: ``show`` an image and poll a ``key``. :class:`CvWindow`
is a real OpenCV window; :class:`NoWindow` is the headless ``--no-window`` mode.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import time
from collections.abc import Mapping
from typing import Protocol

import numpy as np

from aligncheck.errors import DisplayError

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


#: Qt platforms that draw without a display server (set with QT_QPA_PLATFORM).
_HEADLESS_QT = frozenset({"offscreen", "minimal", "vnc", "eglfs", "linuxfb"})


def display_problem(environ: Mapping[str, str] | None = None, platform: str | None = None) -> str:
    """Why a window cannot be opened here, or '' when it can (as far as can be told without
    opening one: on Linux a display server is named by ``DISPLAY`` or ``WAYLAND_DISPLAY``;
    without either, Qt aborts the whole process when the window is created)."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return ""
    if environ.get("QT_QPA_PLATFORM", "").split(":")[0] in _HEADLESS_QT:
        return ""
    if environ.get("WAYLAND_DISPLAY"):
        return ""
    display = environ.get("DISPLAY", "")
    if display:
        if x_server_answers(display):
            return ""
        return (
            f"No display server answers at DISPLAY={display} (it has stopped, or the variable "
            "was left over from another session). Use `aligncheck live --no-window` to coach "
            "without a window (cues are printed and spoken), or start it from a desktop session."
        )
    return (
        "No display to open the live window on: neither DISPLAY nor WAYLAND_DISPLAY is set "
        "(a remote shell, a container or a service?). Use `aligncheck live --no-window` to "
        "coach without a window (cues are printed and spoken), or start it from a desktop "
        "session."
    )


def x_server_answers(display: str, timeout: float = 1.0) -> bool:
    """True when an X server accepts connections at ``display`` (``[host]:N[.screen]``): its
    local socket for ``:N`` or ``unix:N``, TCP port 6000+N for ``host:N`` (an SSH-forwarded
    display). A display that cannot be parsed is given the benefit of the doubt."""
    host, sep, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not sep or not number.isdigit():
        return True
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        for address in (path, "\0" + path):  # the file, or Linux's abstract namespace
            with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as unix:
                unix.settimeout(timeout)
                unix.connect(address)
                return True
        return False
    try:
        with socket.create_connection((host, 6000 + int(number)), timeout=timeout):
            return True
    except OSError:
        return False


def require_display() -> None:
    """Raise :class:`DisplayError` when :func:`display_problem` finds no display."""
    problem = display_problem()
    if problem:
        raise DisplayError(problem)


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
