"""Exception classes, one per kind of failure. Messages say what went wrong and what to do.

The CLI turns any :class:`AligncheckError` into a one-paragraph message and exit status 2;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class AligncheckError(Exception):
    """Base class for errors caused by the user's input or environment, not by a bug."""


class ModelError(AligncheckError):
    """The pose model file is missing, truncated or not a pose landmarker bundle."""


class SourceError(AligncheckError):
    """An image, video or camera cannot be opened or read."""


class OutputError(AligncheckError):
    """An output file or folder cannot be written."""


class DisplayError(AligncheckError):
    """No screen to open a window on (a remote shell, a container, a service)."""
