"""Keeping native libraries' start-up logs off the user's terminal.

Native code writes INFO/WARNING lines straight to file descriptor 2: MediaPipe when a
landmarker is created, on its first inferences and when it is closed; OpenCV's video back-ends
when a camera or file cannot be opened. Python-level redirection cannot catch
them, so :func:`captured_stderr` points descriptor 2 at a temporary file for the duration of a
block and hands back what was written, to attach to an error message if the block failed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


class CapturedText:
    """Text written to stderr inside a :func:`captured_stderr` block (filled when it ends)."""

    def __init__(self) -> None:
        self.text = ""

    def tail(self, lines: int = 5) -> str:
        """The last ``lines`` non-empty lines."""
        kept = [line for line in self.text.splitlines() if line.strip()]
        return "\n".join(kept[-lines:])


@contextmanager
def captured_stderr() -> Iterator[CapturedText]:
    """Redirect file descriptor 2 to a temporary file inside the block; restore it after."""
    captured = CapturedText()
    fd = 2  # native code writes to descriptor 2 whatever sys.stderr is
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), fd)
        try:
            yield captured
        finally:
            os.dup2(saved, fd)
            os.close(saved)
            sink.seek(0)
            captured.text = sink.read().decode("utf-8", errors="replace")


class Muffled:
    """Cheap, reusable silencing of descriptor 2 for short native calls in a loop.

    ``with Muffled() as m:`` opens /dev/null and a saved copy of descriptor 2 once; each
    ``with m:`` inside then silences one call, restoring descriptor 2 right after, so Python's
    own messages between calls still reach the terminal.
    """

    def __init__(self) -> None:
        self._null = -1
        self._saved = -1

    def __enter__(self) -> Muffled:
        if self._null < 0:
            self._null = os.open(os.devnull, os.O_WRONLY)
            self._saved = os.dup(2)
            self._depth = 0
            return self
        self._depth += 1
        sys.stderr.flush()
        os.dup2(self._null, 2)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._depth > 0:
            os.dup2(self._saved, 2)
            self._depth -= 1
            return
        os.close(self._null)
        os.close(self._saved)
        self._null = self._saved = -1
