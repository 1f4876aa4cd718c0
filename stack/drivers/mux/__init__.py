"""The MUX intermediate driver (issue 4): teams and failover over several NICs, capability
aggregation and its propagation, and the monitors for its invariants.

* ``MuxDriver`` -- the base of MUX driver models (``_base``): both NDIS edges in one driver;
* ``Mux`` -- the correct teaming MUX on it (``_driver``): a protocol edge bound to the member
  NICs and one virtual miniport per team;
* the pure rules it uses (``_rules``): which members are aggregated, what is advertised (LBFO by
  default: transmit offloads if all members have them, receive offloads if any has, no
  chimney), how a parameters set is fitted to a member, how fanned-out completions combine, how
  a send is fitted;
* ``mux_monitors`` (``_monitors``): the MUX invariants, shaped like ``stack.runtime`` monitors.
"""

from stack.drivers.mux._base import MuxDriver
from stack.drivers.mux._driver import (
    MemberView,
    Mux,
    MuxContext,
    MuxStats,
    OwnRequest,
    TeamView,
)
from stack.drivers.mux._monitors import (
    AdvertisedWithinMembers,
    HardwareChangeBeforeSend,
    NoCompletionAfterClose,
    mux_monitors,
)
from stack.drivers.mux._rules import (
    EMPTY_OFFLOAD,
    NO_CONNECTION_OFFLOAD,
    RECEIVE_BLOCKS,
    Advertises,
    FailoverAdvertises,
    MemberCapabilities,
    MuxMode,
    Publication,
    PublishAction,
    TeamCapabilities,
    aggregate,
    aggregate_status,
    aggregated_members,
    compose_parameters,
    describe,
    fit_parameters,
    fit_send,
    lbfo_offloads,
    plan_publication,
    send_exceeds,
)

__all__ = [
    "EMPTY_OFFLOAD",
    "NO_CONNECTION_OFFLOAD",
    "RECEIVE_BLOCKS",
    "AdvertisedWithinMembers",
    "Advertises",
    "FailoverAdvertises",
    "HardwareChangeBeforeSend",
    "MemberCapabilities",
    "MemberView",
    "Mux",
    "MuxContext",
    "MuxDriver",
    "MuxMode",
    "MuxStats",
    "NoCompletionAfterClose",
    "OwnRequest",
    "Publication",
    "PublishAction",
    "TeamCapabilities",
    "TeamView",
    "aggregate",
    "aggregate_status",
    "aggregated_members",
    "compose_parameters",
    "describe",
    "fit_parameters",
    "fit_send",
    "lbfo_offloads",
    "mux_monitors",
    "plan_publication",
    "send_exceeds",
]
