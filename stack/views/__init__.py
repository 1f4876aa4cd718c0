"""State views of a run: ``ndisemu show adapter`` and ``ndisemu show bindings``.

A run (``stack.scenario``), stopped at the end or after a trace line, becomes a frozen
``StackSnapshot``; renderers turn it into what Windows and Linux users already read: the
``Get-NetAdapter*`` cmdlets' tables and ``Format-List *`` (``_powershell``: the cmdlets'
columns; ``_cim``: the MSFT_NetAdapter*SettingData objects; ``_pslayout``: Windows PowerShell
5.1's layout rules), ``ethtool -k`` (``_ethtool``), and the binding topology, filter modules
included, as a table or Graphviz DOT (``_bindings``); ``at_layer`` turns an adapter into the view
above one layer of its stack (``show adapter --layer``).  Every
feature is read from the hardware capabilities, the keywords, NDIS's current configuration, the
miniport, the receive path and each protocol's view (``_features``, ``_snapshot``), so the
places where they disagree show.

This package sits above ``stack.scenario`` (and uses ``stack.explore`` only to replay a tape);
it never imports ``stack.cli``.
"""

from stack.views._features import FEATURES as FEATURES
from stack.views._features import VIEWS as VIEWS
from stack.views._features import Feature as Feature
from stack.views._pslayout import format_list as format_list
from stack.views._run import run_for_view as run_for_view
from stack.views._show import SUBJECTS as SUBJECTS
from stack.views._show import ShowOutput as ShowOutput
from stack.views._show import ShowRequest as ShowRequest
from stack.views._show import parse_show as parse_show
from stack.views._show import render_show as render_show
from stack.views._show import show_notes as show_notes
from stack.views._snapshot import TOP_LAYER as TOP_LAYER
from stack.views._snapshot import AdapterSnapshot as AdapterSnapshot
from stack.views._snapshot import AtPoint as AtPoint
from stack.views._snapshot import FeatureState as FeatureState
from stack.views._snapshot import LayerSnapshot as LayerSnapshot
from stack.views._snapshot import ProtocolView as ProtocolView
from stack.views._snapshot import StackSnapshot as StackSnapshot
from stack.views._snapshot import at_layer as at_layer
from stack.views._snapshot import snapshot as snapshot
from stack.views._text import plain_lines as plain_lines
from stack.views._text import print_blocks as print_blocks

__all__ = [
    "FEATURES",
    "SUBJECTS",
    "TOP_LAYER",
    "VIEWS",
    "AdapterSnapshot",
    "AtPoint",
    "Feature",
    "FeatureState",
    "LayerSnapshot",
    "ProtocolView",
    "ShowOutput",
    "ShowRequest",
    "StackSnapshot",
    "at_layer",
    "format_list",
    "parse_show",
    "plain_lines",
    "print_blocks",
    "render_show",
    "run_for_view",
    "show_notes",
    "snapshot",
]
