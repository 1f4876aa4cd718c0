"""The standardized offload INF keywords and their mapping to NDIS_OFFLOAD_PARAMETERS (spec 4).

Theory of operation
-------------------
A keyword is a registry value under the adapter's class key.  NDIS writes the offload keywords
while it processes OID_TCP_OFFLOAD_PARAMETERS, before the miniport sees the OID
(N/oid-tcp-offload-parameters.md), and the miniport reads them back only in MiniportInitializeEx
(N/using-registry-values-to-enable-and-disable-task-offloading.md).  So there are two directions:

* ``keywords_from_parameters`` -- what NDIS writes for a parameters set;
* ``parameters_from_keywords`` / ``current_config_from_keywords`` -- what a reader makes of them.

The value mapping is not tabulated in the docs; the documented value lists line up as
"parameter value = keyword value + 1" (checksum Disabled/Tx/Rx/RxTx 0..3 against TX_RX_DISABLED
.. TX_RX_ENABLED 1..4, every on/off keyword 0..1 against XXX_DISABLED/XXX_ENABLED 1..2, IPsec
Disabled/AH/ESP/AH+ESP 0..3 against 1..4), with NO_CHANGE (0) leaving the keyword alone.  The one
exception is *EncapsulatedPacketTaskOffload, whose parameter uses the SET_ON (1) / SET_OFF (2)
scale: SET_ON <-> 1, SET_OFF <-> 0 (spec section 4, an emulator decision).

Reading rules, all in ``read_keyword``:

* Registry values are strings in the real registry (REG_SZ "1", as the INF's AddReg writes them;
  N/enumeration-keywords.md shows ``Default, 0, "3"``).  A ``str`` holding a decimal integer or an
  ``int`` is accepted.
* NDIS does not validate values read from the registry; a reader that finds a value out of bounds
  "should use a default value instead" (D/ndis/nf-ndis-ndisreadconfiguration.md).  So a value that
  is non-numeric, or not one of the keyword's enumeration values, reads as the keyword's default.
* A keyword that is absent reads as ``None``: "no change" for ``parameters_from_keywords``, the
  default for ``current_config_from_keywords`` (the INF installs the default; a driver that does
  not find the value falls back to it).
* Grouped keywords (spec A10): NDIS writes the granular keywords; on read, when
  *TCPUDPChecksumOffloadIPv4 exists and a granular IPv4 checksum keyword does not, the grouped
  value supplies IP, TCP and UDP over IPv4; *TCPUDPChecksumOffloadIPv6 likewise supplies TCP and
  UDP over IPv6 (N/using-registry-values-to-enable-and-disable-task-offloading.md defines what each
  grouped keyword covers).  A granular keyword that exists always wins, even when invalid (it then
  reads as its own default).
* LSO precedence: when both *LsoV2IPv4 and *LsoV1IPv4 exist, *LsoV2IPv4 "always takes precedence"
  (N/enumeration-keywords.md); *LsoV1IPv4 is then ignored, and an adapter that supports LSOv1 runs
  it exactly when *LsoV2IPv4 says LSO over IPv4 is on.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from stack.ndis import _constants as c
from stack.ndis._memo import memoised
from stack.ndis._rules import HardwarePolicy, apply_offload_parameters
from stack.ndis._structs import NDIS_OFFLOAD, NDIS_OFFLOAD_PARAMETERS

__all__ = [  # re-exported by stack.ndis
    "GROUPED_CHECKSUM_KEYWORDS",
    "OFFLOAD_KEYWORDS",
    "KeywordMapping",
    "OffloadKeyword",
    "RegistryValue",
    "current_config_from_keywords",
    "default_keywords",
    "keywords_from_parameters",
    "parameters_from_keywords",
    "read_keyword",
]

#: What a registry value may hold in the emulator: the REG_SZ text, or an int.
RegistryValue = str | int


class KeywordMapping(enum.Enum):
    """How a keyword value maps to its NDIS_OFFLOAD_PARAMETERS member."""

    #: parameter = keyword + 1 (every per-feature member; NO_CHANGE = 0 has no keyword value).
    PLUS_ONE = "plus-one"
    #: SET_ON (1) <-> 1, SET_OFF (2) <-> 0 (*EncapsulatedPacketTaskOffload).
    SET_ON_OFF = "set-on-off"


@attrs.frozen(kw_only=True)
class OffloadKeyword:
    """One standardized enumeration keyword, as the docs' tables list it."""

    #: The SubkeyName, with its leading ``*``.
    name: str
    #: The display text of the keyword.
    ParamDesc: str
    #: Enumeration value -> EnumDesc (display text), in the docs' order.
    values: Mapping[int, str]
    #: The value marked "(Default)"; see ``default_is_documented``.
    default: int
    #: The NDIS_OFFLOAD_PARAMETERS member as an attribute path, or () for a grouped keyword.
    member: tuple[str, ...]
    #: How a value maps to the member.
    mapping: KeywordMapping = KeywordMapping.PLUS_ONE
    #: False when the docs mark no default and the emulator chose one (spec A17).
    default_is_documented: bool = True
    #: The docs page that lists the keyword.
    source: str

    def to_parameter(self, value: int) -> int:
        """The NDIS_OFFLOAD_PARAMETERS value for a valid keyword ``value``."""
        if self.mapping is KeywordMapping.SET_ON_OFF:
            return c.NDIS_OFFLOAD_SET_ON if value else c.NDIS_OFFLOAD_SET_OFF
        return value + 1

    def from_parameter(self, parameter: int) -> int | None:
        """The keyword value for a parameter value; None for NO_CHANGE or an undefined value."""
        if self.mapping is KeywordMapping.SET_ON_OFF:
            return {c.NDIS_OFFLOAD_SET_ON: 1, c.NDIS_OFFLOAD_SET_OFF: 0}.get(parameter)
        value = parameter - 1
        return value if value in self.values else None


_CHECKSUM_VALUES: Final = MappingProxyType(
    {0: "Disabled", 1: "Tx Enabled", 2: "Rx Enabled", 3: "Rx & Tx Enabled"}
)
_GROUPED_VALUES: Final = MappingProxyType(
    {0: "Disabled", 1: "Tx Enabled", 2: "Rx Enabled", 3: "Tx and Rx Enabled"}
)
_ON_OFF_VALUES: Final = MappingProxyType({0: "Disabled", 1: "Enabled"})
_IPSEC_VALUES: Final = MappingProxyType(
    {0: "Disabled", 1: "Auth Header Enabled", 2: "ESP Enabled", 3: "Auth Header & ESP Enabled"}
)

_TASK: Final = "N/using-registry-values-to-enable-and-disable-task-offloading.md"
_ENUM: Final = "N/enumeration-keywords.md"
_CONN: Final = "N/using-registry-values-to-enable-and-disable-connection-offloading.md"


def _kw(
    name: str,
    desc: str,
    values: Mapping[int, str],
    default: int,
    member: tuple[str, ...],
    source: str,
    **extra: Any,
) -> OffloadKeyword:
    return OffloadKeyword(
        name=name,
        ParamDesc=desc,
        values=values,
        default=default,
        member=member,
        source=source,
        **extra,
    )


#: Every standardized offload keyword, granular ones first, in the docs' order.  Keyed by name.
OFFLOAD_KEYWORDS: Final[Mapping[str, OffloadKeyword]] = MappingProxyType(
    {
        k.name: k
        for k in (
            _kw("*IPChecksumOffloadIPv4", "IPv4 Checksum Offload", _CHECKSUM_VALUES, 3,
                ("IPv4Checksum",), _TASK),
            _kw("*TCPChecksumOffloadIPv4", "TCP Checksum Offload (IPv4)", _CHECKSUM_VALUES, 3,
                ("TCPIPv4Checksum",), _TASK),
            _kw("*TCPChecksumOffloadIPv6", "TCP Checksum Offload (IPv6)", _CHECKSUM_VALUES, 3,
                ("TCPIPv6Checksum",), _TASK),
            _kw("*UDPChecksumOffloadIPv4", "UDP Checksum Offload (IPv4)", _CHECKSUM_VALUES, 3,
                ("UDPIPv4Checksum",), _TASK),
            _kw("*UDPChecksumOffloadIPv6", "UDP Checksum Offload (IPv6)", _CHECKSUM_VALUES, 3,
                ("UDPIPv6Checksum",), _TASK),
            _kw("*LsoV1IPv4", "Large Send Offload Version 1 (IPv4)", _ON_OFF_VALUES, 1,
                ("LsoV1",), _TASK),
            _kw("*LsoV2IPv4", "Large Send Offload Version 2 (IPv4)", _ON_OFF_VALUES, 1,
                ("LsoV2IPv4",), _ENUM),
            _kw("*LsoV2IPv6", "Large Send Offload Version 2 (IPv6)", _ON_OFF_VALUES, 1,
                ("LsoV2IPv6",), _ENUM),
            _kw("*IPsecOffloadV1IPv4", "IPsec Offload Version 1 (IPv4)", _IPSEC_VALUES, 3,
                ("IPsecV1",), _TASK),
            _kw("*IPsecOffloadV2", "IPsec Offload", _IPSEC_VALUES, 3, ("IPsecV2",), _TASK),
            _kw("*IPsecOffloadV2IPv4", "IPsec Offload (IPv4 only)", _IPSEC_VALUES, 3,
                ("IPsecV2IPv4",), _TASK),
            _kw("*TCPConnectionOffloadIPv4", "TCP Connection Offload (IPv4)", _ON_OFF_VALUES, 1,
                ("TcpConnectionIPv4",), _CONN),
            _kw("*TCPConnectionOffloadIPv6", "TCP Connection Offload (IPv6)", _ON_OFF_VALUES, 1,
                ("TcpConnectionIPv6",), _CONN),
            _kw("*RscIPv4", "Recv Segment Coalescing (IPv4)", _ON_OFF_VALUES, 1, ("RscIPv4",),
                "N/standardized-inf-keywords-for-rsc.md"),
            _kw("*RscIPv6", "Recv Segment Coalescing (IPv6)", _ON_OFF_VALUES, 1, ("RscIPv6",),
                "N/standardized-inf-keywords-for-rsc.md"),
            _kw("*EncapsulatedPacketTaskOffload", "Encapsulated Task Offload", _ON_OFF_VALUES, 1,
                ("EncapsulatedPacketTaskOffload",),
                "N/standardized-inf-keywords-for-nvgre-task-offload.md",
                mapping=KeywordMapping.SET_ON_OFF),
            # No default is marked for USO (spec A17); we choose Enabled because miniports
            # "should enable all of their task offload capabilities" at initialization
            # (N/oid-tcp-offload-current-config.md).
            _kw("*UsoIPv4", "UDP Segmentation Offload (IPv4)", _ON_OFF_VALUES, 1,
                ("UdpSegmentation", "IPv4"), "N/udp-segmentation-offload-uso-.md",
                default_is_documented=False),
            _kw("*UsoIPv6", "UDP Segmentation Offload (IPV6)", _ON_OFF_VALUES, 1,
                ("UdpSegmentation", "IPv6"), "N/udp-segmentation-offload-uso-.md",
                default_is_documented=False),
            _kw("*UdpRsc", "URO", _ON_OFF_VALUES, 1, ("UdpRsc", "Enabled"),
                "N/udp-rsc-offload.md"),
            # Grouped keywords: no member of their own (spec A10).
            _kw("*TCPUDPChecksumOffloadIPv4", "TCP/UDP Checksum Offload (IPv4)", _GROUPED_VALUES,
                3, (), _TASK),
            _kw("*TCPUDPChecksumOffloadIPv6", "TCP/UDP Checksum Offload (IPv6)", _GROUPED_VALUES,
                3, (), _TASK),
        )
    }
)  # fmt: skip

#: Grouped keyword -> the granular keywords it stands for when they are absent (spec A10).
GROUPED_CHECKSUM_KEYWORDS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "*TCPUDPChecksumOffloadIPv4": (
            "*IPChecksumOffloadIPv4",
            "*TCPChecksumOffloadIPv4",
            "*UDPChecksumOffloadIPv4",
        ),
        "*TCPUDPChecksumOffloadIPv6": ("*TCPChecksumOffloadIPv6", "*UDPChecksumOffloadIPv6"),
    }
)
_GROUP_OF: Final = MappingProxyType(
    {
        granular: group
        for group, members in GROUPED_CHECKSUM_KEYWORDS.items()
        for granular in members
    }
)
_GRANULAR: Final = tuple(k for k in OFFLOAD_KEYWORDS.values() if k.member)


def _parse(raw: RegistryValue) -> int | None:
    """A registry value as an int, or None if it is not a decimal integer."""
    if isinstance(raw, bool):  # bool is an int subclass; True is not a registry value
        return None
    if isinstance(raw, int):
        return raw
    text = raw.strip()
    digits = text[1:] if text[:1] in ("+", "-") else text
    return int(text) if digits.isascii() and digits.isdigit() else None


def _read_one(keyword: OffloadKeyword, raw: RegistryValue) -> int:
    value = _parse(raw)
    return value if value is not None and value in keyword.values else keyword.default


def read_keyword(keywords: Mapping[str, RegistryValue], name: str) -> int | None:
    """The effective value of keyword ``name`` in ``keywords``, or None if it is absent.

    Applies every reading rule of the module docstring: str-or-int, invalid -> default, grouped
    checksum keywords standing in for absent granular ones, and *LsoV2IPv4 over *LsoV1IPv4.
    """
    keyword = OFFLOAD_KEYWORDS[name]
    if name == "*LsoV1IPv4" and "*LsoV2IPv4" in keywords:
        # N/enumeration-keywords.md: "the *LsoV2IPv4 keyword always takes precedence".
        return _read_one(OFFLOAD_KEYWORDS["*LsoV2IPv4"], keywords["*LsoV2IPv4"])
    if name in keywords:
        return _read_one(keyword, keywords[name])
    group = _GROUP_OF.get(name)
    if group is not None and group in keywords:
        # Grouped values use the same 0..3 Disabled/Tx/Rx/TxRx scale as the granular ones.
        return _read_one(OFFLOAD_KEYWORDS[group], keywords[group])
    return None


def default_keywords() -> dict[str, str]:
    """The granular keywords as a fresh INF install writes them: every default, as REG_SZ text.

    Grouped keywords are left out: an INF exposes either the grouped or the granular ones, and
    NDIS itself writes only granular ones (spec A10).
    """
    return {k.name: str(k.default) for k in _GRANULAR}


def _get_path(obj: object, path: tuple[str, ...]) -> Any:
    for part in path:
        obj = getattr(obj, part)
    return obj


def _set_path(obj: Any, path: tuple[str, ...], value: int) -> Any:
    head, *rest = path
    if not rest:
        return attrs.evolve(obj, **{head: value})
    return attrs.evolve(obj, **{head: _set_path(getattr(obj, head), tuple(rest), value)})


def keywords_from_parameters(params: NDIS_OFFLOAD_PARAMETERS) -> dict[str, int]:
    """The granular keywords NDIS writes for an OID_TCP_OFFLOAD_PARAMETERS set.

    A NO_CHANGE member leaves its keyword out.  A member value outside the documented range has
    no keyword value either (NDIS does not validate the buffer, and what it would write for such
    a value is undocumented), so it is left out too; the miniport fails such a set with
    NDIS_STATUS_INVALID_DATA anyway (N/oid-tcp-offload-parameters.md).  Members the structure's
    revision does not carry are NO_CHANGE by construction.
    """
    written: dict[str, int] = {}
    for keyword in _GRANULAR:
        value = keyword.from_parameter(_get_path(params, keyword.member))
        if value is not None:
            written[keyword.name] = value
    return written


def parameters_from_keywords(
    keywords: Mapping[str, RegistryValue],
) -> NDIS_OFFLOAD_PARAMETERS:
    """An NDIS_OFFLOAD_PARAMETERS that would set what ``keywords`` say; absent ones NO_CHANGE.

    Uses ``read_keyword`` for every granular keyword, so grouped keywords and LSO precedence
    apply.  EncapsulationTypes stays 0 (no standardized keyword selects NVGRE or VXLAN) and Flags
    stays 0.
    """
    params = NDIS_OFFLOAD_PARAMETERS()
    for keyword in _GRANULAR:
        value = read_keyword(keywords, keyword.name)
        if value is not None:
            params = _set_path(params, keyword.member, keyword.to_parameter(value))
    return params


def current_config_from_keywords(
    hardware: NDIS_OFFLOAD, keywords: Mapping[str, RegistryValue]
) -> NDIS_OFFLOAD:
    """The current configuration a miniport reports from MiniportInitializeEx.

    The miniport reads every granular keyword at initialization
    (N/using-registry-values-to-enable-and-disable-task-offloading.md); a keyword that is absent
    counts as its default, and miniports "should enable all of their task offload capabilities"
    (N/oid-tcp-offload-current-config.md), which is what the defaults do.  The result is the
    hardware capabilities with every keyword applied as a parameters set under
    ``HardwarePolicy.CLAMP`` (a keyword can only enable what the hardware has), including the
    LSO-over-IPsec rule of ``_rules``.  Members no keyword governs (Rfc6877Xlat, Flags, the VXLAN
    port) are the hardware's.
    """
    return _current_config_from_keywords(hardware, tuple(sorted(keywords.items())))


@memoised()  # every run of a campaign initialises the same miniports from the same keywords
def _current_config_from_keywords(
    hardware: NDIS_OFFLOAD, items: tuple[tuple[str, RegistryValue], ...]
) -> NDIS_OFFLOAD:
    keywords = dict(items)
    params = NDIS_OFFLOAD_PARAMETERS()
    for keyword in _GRANULAR:
        value = read_keyword(keywords, keyword.name)
        chosen = keyword.default if value is None else value
        params = _set_path(params, keyword.member, keyword.to_parameter(chosen))
    result = apply_offload_parameters(hardware, hardware, params, HardwarePolicy.CLAMP)
    return result.offload
