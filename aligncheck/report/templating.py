"""The Jinja2 environment of the report templates (autoescaping on for every template)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from aligncheck.errors import OutputError

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The shared environment: autoescape on, undefined names are errors."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_to(template: str, path: Path, **context: Any) -> Path:
    """Render ``template`` with ``context`` into ``path`` (UTF-8), atomically."""
    html = environment().get_template(template).render(**context)
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    try:
        partial.write_text(html, encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the page ({exc.strerror or exc}).") from exc
    return path
