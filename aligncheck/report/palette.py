"""The report's colours, as data: one place for the SVG plots, the legends and the CSS."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from aligncheck.core import Status


def _frozen(mapping: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Palette:
    """Status colours (ok green, close amber, off red, not visible grey, not read reliably
    violet), phase colours and ink."""

    status: Mapping[str, str] = field(
        default_factory=lambda: _frozen(
            {
                Status.OK.value: "#4f9d69",
                Status.CLOSE.value: "#e2a93b",
                Status.OFF.value: "#d0583f",
                Status.NOT_VISIBLE.value: "#c3c8ce",
                Status.NOT_APPLICABLE.value: "none",
                Status.UNRELIABLE.value: "#9c8ec4",
            }
        )
    )
    #: Phase colours in the order the rules file lists its phases (cycled if more).
    phases: tuple[str, ...] = (
        "#a9c6e8",
        "#c7b9e2",
        "#9fd3cb",
        "#f2cf9c",
        "#e9b3c2",
        "#c9dca3",
        "#b8c4d6",
    )
    hold: str = "#4d8fc9"
    no_phase: str = "#eef0f2"
    ink: str = "#24313f"
    muted: str = "#6b7785"
    grid: str = "#e3e7eb"
    line: str = "#2e4a66"
    paper: str = "#ffffff"

    def css_variables(self) -> dict[str, str]:
        """CSS custom properties (``--ok`` ...) for the stylesheet."""
        names = {s.value: s.name.lower().replace("_", "-") for s in Status}
        variables = {f"--{names[k]}": v for k, v in self.status.items() if v != "none"}
        variables.update(
            {
                "--hold": self.hold,
                "--no-phase": self.no_phase,
                "--ink": self.ink,
                "--muted": self.muted,
                "--grid": self.grid,
                "--line": self.line,
                "--paper": self.paper,
            }
        )
        return variables


DEFAULT_PALETTE = Palette()
