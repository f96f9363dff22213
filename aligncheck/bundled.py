"""Data files that ship inside the package, found through :mod:`importlib.resources`.

The repository's ``samples/`` folder is installed as the package ``aligncheck.samples`` (see
``pyproject.toml``, the way ``rules/`` becomes ``aligncheck.pose_rules``), so a regular
``pip install .`` carries the sample clip that ``aligncheck analyze`` runs on without
arguments. ``samples/__init__.py`` makes it a regular package: setuptools' editable install
cannot import a mapped folder without one, and with it the checkout's folder is found through
the same name. ``python -m aligncheck.synth.samples --out samples`` regenerates what ships.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from aligncheck.errors import AligncheckError

SAMPLES_PACKAGE = "aligncheck.samples"
#: The clip ``aligncheck analyze`` uses when no video is named.
SAMPLE_CLIP = "janu_sirsasana_right.mp4"


class BundledFileError(AligncheckError):
    """A file that should ship with aligncheck is not installed."""


def sample_file(name: str = SAMPLE_CLIP) -> Traversable:
    """The bundled sample ``name``; raises :class:`BundledFileError` when it is not installed."""
    try:
        folder = resources.files(SAMPLES_PACKAGE)
    except ModuleNotFoundError:
        folder = None
    resource = folder / name if folder is not None else None
    if resource is None or not resource.is_file():
        raise BundledFileError(
            f"The bundled sample {name} is not installed with aligncheck. Name a video "
            "(aligncheck analyze VIDEO), or reinstall aligncheck (pip install . , or "
            "pip install -e . in a checkout) to get the sample."
        )
    return resource


@contextmanager
def sample_path(name: str = SAMPLE_CLIP) -> Iterator[Path]:
    """The bundled sample ``name`` as a file on disk for the duration of the block (a
    temporary copy only if the package is installed in a zip)."""
    with resources.as_file(sample_file(name)) as path:
        yield Path(path)
