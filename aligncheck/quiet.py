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
