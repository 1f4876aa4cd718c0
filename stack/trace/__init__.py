"""Views of the canonical JSONL log: Mermaid, Perfetto / Chrome trace events, DOT.

Every exporter takes the log's records (``read_jsonl``) and optional ``Annotations`` (a title,
the failure, notes on deliveries that left FIFO order); none reads anything else, so the views
never disagree with the log or with each other.  ``failure_window`` chooses what a diagram of a
failing run draws: the failure's causal past (``infer_links``, ``causal_past``), cycles folded,
capped at ``MAX_ARROWS``.
"""

from stack.trace._causal import causal_past as causal_past
from stack.trace._causal import infer_links as infer_links
from stack.trace._dot import to_dot as to_dot
from stack.trace._mermaid import (
    mermaid_markdown as mermaid_markdown,
)
from stack.trace._mermaid import (
    to_mermaid as to_mermaid,
)
from stack.trace._perfetto import to_perfetto as to_perfetto
from stack.trace._records import (
    Annotations as Annotations,
)
from stack.trace._records import (
    FailureMark as FailureMark,
)
from stack.trace._records import (
    annotations_from_records as annotations_from_records,
)
from stack.trace._records import (
    detail as detail,
)
from stack.trace._records import (
    is_completion as is_completion,
)
from stack.trace._records import (
    is_delivery as is_delivery,
)
from stack.trace._records import (
    parse_jsonl as parse_jsonl,
)
from stack.trace._records import (
    parse_window as parse_window,
)
from stack.trace._records import (
    read_jsonl as read_jsonl,
)
from stack.trace._records import (
    window as window,
)
from stack.trace._rules import DECIDING_FIELDS as DECIDING_FIELDS
from stack.trace._window import MAX_ARROWS as MAX_ARROWS
from stack.trace._window import Window as Window
from stack.trace._window import failure_past as failure_past
from stack.trace._window import failure_window as failure_window

__all__ = [
    "DECIDING_FIELDS",
    "MAX_ARROWS",
    "Annotations",
    "FailureMark",
    "Window",
    "annotations_from_records",
    "causal_past",
    "detail",
    "failure_past",
    "failure_window",
    "infer_links",
    "is_completion",
    "is_delivery",
    "mermaid_markdown",
    "parse_jsonl",
    "parse_window",
    "read_jsonl",
    "to_dot",
    "to_mermaid",
    "to_perfetto",
    "window",
]
