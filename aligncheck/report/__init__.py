"""HTML reports: one self-contained page per session, and an index for reviewing many clips.

* :func:`write_report` renders a :class:`~aligncheck.session.SessionSummary`;
* :func:`write_index` / :func:`write_index_csv` list many clips (:class:`IndexRow`).

Pages are rendered with Jinja2 (autoescaping on) from a view-model built in Python; they need
no network: styles inline, images as ``data:`` URIs, plots as inline SVG.
"""

from aligncheck.report.index import CSV_COLUMNS, IndexRow, write_index, write_index_csv
from aligncheck.report.page import write_report

__all__ = ["CSV_COLUMNS", "IndexRow", "write_index", "write_index_csv", "write_report"]
