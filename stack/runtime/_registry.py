r"""The registry: per-adapter keyword stores, loaded from and saved to ``.reg`` files.

Windows keeps a network adapter's settings, the standardized keywords among them, as values of
its device-class instance key,
``HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Class\{4D36E972-E325-11CE-BFC1-08002BE10318}\nnnn``
(spec section 4, [PS/Get-NetAdapterAdvancedProperty.md]).  Three parties use it here:

- the NDIS library writes the standardized keywords when it handles OID_TCP_OFFLOAD_PARAMETERS,
  before the miniport sees the OID [N/using-the-tcp-ip-offload-administrator-interface.md];
- the miniport reads every keyword at initialization
  [N/standardized-inf-keywords-for-network-devices.md];
- the admin client reads and writes advanced properties, described by the ``Ndi\params\<keyword>``
  subkeys an INF installs: ParamDesc, default, type and an ``enum`` subkey of value -> display
  text [N/enumeration-keywords.md].

``Registry`` is the whole tree (any keys, so that a user's export survives a round trip);
``AdapterKeywords`` is one adapter's view of its instance key.  Windows stores standardized
keywords as REG_SZ strings, so ``set`` writes REG_SZ; ``get`` reads REG_SZ, REG_EXPAND_SZ and
REG_DWORD alike, as NdisReadConfiguration does.

Adapter names
-------------
Scenario adapters ("nic0") are matched to instance keys ("0001") when they are attached, one at a
time: ``ensure_adapter`` as the scenario creates each miniport, or the ``adapters`` argument of
the loaders.  An adapter takes

1. the instance the caller pinned for it (``instances={"nic0": "0003"}``, ``pin``);
2. else the instance key whose ``"ndisemu.AdapterName"`` value is its name (a value Windows
   ignores, so a tagged file still imports);
3. else the lowest-numbered instance key that is not attached, pinned or tagged for another
   adapter: an untagged export of one NIC simply becomes the first adapter;
4. else a new, empty key numbered one past the highest instance seen or pinned; it appears in
   the tree at its first write, so loading and saving without writes changes nothing.

A conflict (two keys tagged with one name, a pin on a key tagged for someone else) is an error,
never a guess.  Not NetCfgInstanceId or DriverDesc: neither is a scenario's name, and two
identical NICs share a DriverDesc.  ``attach_instances`` attaches every remaining instance key,
named by its tag else its number, for looking at a file without a scenario.  Keys no adapter
takes stay in the tree, untouched.

Order and determinism
---------------------
Keys and values loaded from a file keep the file's order, so an unchanged export saves back
byte-for-byte (``reg export`` lists values in creation order, not sorted).  A key or value
created later goes before the first sibling that sorts after it, comparing names
case-insensitively the way regedit orders subkeys; the result depends on what was written,
never on the order of the writes, so two interleavings that end in the same values save the same
file.  Values loaded and not changed are saved from their original text; comments are kept with
the line below them.  Deletion lines (``[-key]``, ``"name"=-``) are applied while loading, to
the keys above them in the same file, and are not saved back: what is saved is the resulting
registry.  A REGEDIT4 file is saved in the version-5 format.

Every write through the API counts in ``change_count`` (the registry's and the adapter's), even
when it stores the value already there: NDIS writing the same keyword again is still a write, and
an invariant checks that the write happened before the miniport saw the OID.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import attrs

from stack.errors import BadInput
from stack.runtime._regfile import (
    REG_SZ,
    Encoding,
    RegDocument,
    RegFileError,
    RegValue,
    check_key_path,
    decode_reg_bytes,
    encode_reg_text,
    fold,
    format_document,
    format_value,
    parse_reg_text,
)

GUID_DEVCLASS_NET = "{4D36E972-E325-11CE-BFC1-08002BE10318}"
NET_CLASS_KEY = (
    "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Class\\" + GUID_DEVCLASS_NET
)
ADAPTER_NAME_VALUE = "ndisemu.AdapterName"

_Parts = tuple[str, ...]  # a key path as folded names, also its sort key

_CLASS_PARTS: _Parts = tuple(fold(part) for part in NET_CLASS_KEY.split("\\"))
_INSTANCE = re.compile(r"[0-9]{4}")
_NDI_PARAMS: _Parts = ("NDI", "PARAMS")


def _parts(path: str) -> _Parts:
    return tuple(fold(part) for part in path.split("\\"))


def _check_instance(name: str, instance: str) -> None:
    if not _INSTANCE.fullmatch(instance):
        raise BadInput(f"adapter {name!r}: instance must be four digits, got {instance!r}")


def _instance_of(parts: _Parts) -> str | None:
    """The instance number if ``parts`` is an adapter's instance key or one of its subkeys."""
    size = len(_CLASS_PARTS)
    if len(parts) > size and parts[:size] == _CLASS_PARTS and _INSTANCE.fullmatch(parts[size]):
        return parts[size]
    return None


_Sortable = TypeVar("_Sortable", str, tuple[str, ...])


def _insertion_point(items: Sequence[_Sortable], item: _Sortable) -> int:
    """Where a new ``item`` goes: before the first element that sorts after it.

    On a sorted list this is the sorted position; on a file's own order it is still a position
    that depends only on the items, never on the order in which new ones arrive.
    """
    for index, other in enumerate(items):
        if other > item:
            return index
    return len(items)


# --- values -----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class KeySnapshot:
    """One key's values at one moment."""

    path: str
    values: tuple[RegValue, ...]

    def get(self, name: str) -> str | None:
        """The text of value ``name`` (case-insensitive), as ``AdapterKeywords.get`` reads it."""
        wanted = fold(name)
        for value in self.values:
            if fold(value.name) == wanted:
                return value.as_text()
        return None


@attrs.frozen(kw_only=True)
class RegistrySnapshot:
    """The whole registry at one moment: comparable, hashable, cheap to keep."""

    keys: tuple[KeySnapshot, ...]
    adapters: tuple[tuple[str, str], ...]  # (adapter name, instance), in attach order


@attrs.frozen(kw_only=True)
class NdiEnumChoice:
    """One ``Ndi\\params\\<keyword>\\enum`` entry: a registry value and its display text."""

    value: str
    display: str


@attrs.frozen(kw_only=True)
class NdiParam:
    """The INF description of one keyword (``HKR, Ndi\\params\\<keyword>``).

    Field names are the INF value names [N/enumeration-keywords.md].
    """

    keyword: str
    ParamDesc: str | None = None
    default: str | None = None
    type: str | None = None
    enum: tuple[NdiEnumChoice, ...] = ()

    def display(self, registry_value: str) -> str | None:
        """The display text of ``registry_value`` (``DisplayValue`` in PowerShell), if listed."""
        for choice in self.enum:
            if choice.value == registry_value:
                return choice.display
        return None

    @classmethod
    def from_values(
        cls, keyword: str, values: Iterable[RegValue], enum: Iterable[RegValue] = ()
    ) -> NdiParam:
        """Read a params key's values (and its enum subkey's), as an INF install left them."""
        texts = {fold(value.name): value.as_text() for value in values}
        return cls(
            keyword=keyword,
            ParamDesc=texts.get("PARAMDESC"),
            default=texts.get("DEFAULT"),
            type=texts.get("TYPE"),
            enum=tuple(NdiEnumChoice(value=v.name, display=v.as_text() or "") for v in enum),
        )


@attrs.frozen(kw_only=True)
class _Entry:
    value: RegValue
    raw: tuple[str, ...] | None = None  # the lines as loaded; None once changed
    comments: tuple[str, ...] = ()


@attrs.define(eq=False)
class _Key:
    path: str
    parts: _Parts
    comments: tuple[str, ...] = ()
    names: list[str] = attrs.Factory(list)  # folded value names, in order
    entries: dict[str, _Entry] = attrs.Factory(dict)

    def values(self) -> tuple[RegValue, ...]:
        return tuple(self.entries[name].value for name in self.names)

    def put(self, entry: _Entry, *, sorted_insert: bool) -> None:
        name = fold(entry.value.name)
        old = self.entries.get(name)
        if old is None:
            at = _insertion_point(self.names, name) if sorted_insert else len(self.names)
            self.names.insert(at, name)
            self.entries[name] = entry
            return
        # Windows keeps a value's name as first spelled when it is written again.
        value = attrs.evolve(entry.value, name=old.value.name)
        if entry.raw is None and value == old.value:
            return  # rewriting the same value: keep its original text
        self.entries[name] = _Entry(
            value=value,
            raw=entry.raw if value == entry.value else None,
            comments=entry.comments or old.comments,
        )

    def remove(self, name: str) -> bool:
        folded = fold(name)
        if self.entries.pop(folded, None) is None:
            return False
        self.names.remove(folded)
        return True

    def copy(self) -> _Key:
        return _Key(self.path, self.parts, self.comments, list(self.names), dict(self.entries))


# --- the store --------------------------------------------------------------------------------


@attrs.define(eq=False)
class AdapterKeywords:
    """One adapter's keywords: the values of its class instance key, and their INF metadata."""

    registry: Registry = attrs.field(repr=False)
    name: str
    instance: str  # "0001"
    change_count: int = 0  # writes through the API to this adapter's keys
    _parts: _Parts = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._parts = (*_CLASS_PARTS, self.instance)

    @property
    def path(self) -> str:
        """The instance key's full path, spelled as in the loaded file if it came from one."""
        return self.registry._path_of(self._parts, NET_CLASS_KEY + "\\" + self.instance)

    def keywords(self) -> tuple[tuple[str, str], ...]:
        """(name, text) of every value that reads as text, in key order: what the miniport
        reads at initialization.  The ``ndisemu.AdapterName`` tag is left out."""
        tag = fold(ADAPTER_NAME_VALUE)
        pairs = ((v.name, v.as_text()) for v in self.values() if fold(v.name) != tag)
        return tuple((name, text) for name, text in pairs if text is not None)

    def value(self, keyword: str) -> RegValue | None:
        """The stored value (type and raw bytes) of ``keyword``, case-insensitive."""
        return self.registry._value(self._parts, keyword)

    def get(self, keyword: str) -> str | None:
        """The keyword's value as text, or None if absent or of a type with no text form."""
        value = self.value(keyword)
        return None if value is None else value.as_text()

    def set(self, keyword: str, value: str | int) -> None:
        """Store ``keyword`` as REG_SZ, the type Windows uses for standardized keywords."""
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise TypeError(f"keyword {keyword!r}: value must be str or int, got {value!r}")
        self.registry._put(self._parts, self.path, RegValue.sz(keyword, str(value)))

    def delete(self, keyword: str) -> None:
        """Remove ``keyword`` (Remove-NetAdapterAdvancedProperty); absent is not an error."""
        self.registry._delete(self._parts, keyword)

    def values(self) -> tuple[RegValue, ...]:
        """Every value of the instance key, in key order."""
        return self.snapshot().values

    def snapshot(self) -> KeySnapshot:
        return self.registry._snapshot_of(self._parts, self.path)

    def param(self, keyword: str) -> NdiParam | None:
        """The ``Ndi\\params\\<keyword>`` description, if the INF (or file) installed one."""
        return self.registry._param(self._parts + _NDI_PARAMS + (fold(keyword),))

    def params(self) -> tuple[NdiParam, ...]:
        """Every described keyword, sorted case-insensitively by keyword."""
        return self.registry._params_under(self._parts + _NDI_PARAMS)

    def define_param(self, param: NdiParam) -> None:
        """Install ``param`` as an INF AddReg would: the params key, then its enum subkey."""
        base = f"{self.path}\\Ndi\\params\\{param.keyword}"
        for name, text in (
            ("ParamDesc", param.ParamDesc),
            ("default", param.default),
            ("type", param.type),
        ):
            if text is not None:
                self.registry.set_value(base, RegValue.sz(name, text))
        for choice in param.enum:
            self.registry.set_value(base + "\\enum", RegValue.sz(choice.value, choice.display))


@attrs.define(eq=False)
class Registry:
    """A registry tree, with named adapter views.  ``Registry()`` is empty."""

    change_count: int = 0  # writes through the API, loading excluded
    _keys: list[_Key] = attrs.field(factory=list, init=False)
    _by_parts: dict[_Parts, _Key] = attrs.field(factory=dict, init=False)
    _adapters: dict[str, AdapterKeywords] = attrs.field(factory=dict, init=False)
    _by_instance: dict[str, AdapterKeywords] = attrs.field(factory=dict, init=False)
    _pinned: dict[str, str] = attrs.field(factory=dict, init=False)  # adapter -> instance
    _trailing_comments: tuple[str, ...] = attrs.field(default=(), init=False)

    # -- loading and saving

    @classmethod
    def from_reg_text(
        cls,
        text: str,
        *,
        source: str = "<text>",
        adapters: Sequence[str] = (),
        instances: Mapping[str, str] | None = None,
    ) -> Registry:
        """Load decoded .reg text, pin ``instances`` and attach ``adapters``.

        ``instances`` maps adapter names to instance numbers ("0001"): rule 1 of "Adapter names",
        also for adapters attached later (``ensure_adapter`` when the scenario creates them).
        ``adapters`` are attached now, in this order.  Raises RegFileError, naming ``source``,
        for anything wrong with the file or with the match.
        """
        registry = cls()
        registry._load(parse_reg_text(text, source=source), source)
        try:
            for name, instance in (instances or {}).items():
                registry.pin(name, instance)
            for name in adapters:
                registry.add_adapter(name)
        except BadInput as exc:
            raise RegFileError(source, None, str(exc)) from None
        return registry

    def to_reg_text(self) -> str:
        """The registry as ``reg export`` would write it (CRLF line ends, no BOM: see save_reg)."""
        return format_document(
            [
                (
                    key.path,
                    key.comments,
                    [
                        entry.comments
                        + (format_value(entry.value) if entry.raw is None else entry.raw)
                        for entry in (key.entries[name] for name in key.names)
                    ],
                )
                for key in self._keys
            ],
            self._trailing_comments,
        )

    def copy(self) -> Registry:
        """An independent registry with the same keys, adapters and counters (one per run)."""
        new = Registry(change_count=self.change_count)
        new._trailing_comments = self._trailing_comments
        for key in self._keys:
            new._add_key(key.copy(), sorted_insert=False)
        new._pinned = dict(self._pinned)
        for adapter in self._adapters.values():
            new._attach(attrs.evolve(adapter, registry=new))
        return new

    def snapshot(self) -> RegistrySnapshot:
        return RegistrySnapshot(
            keys=tuple(KeySnapshot(path=key.path, values=key.values()) for key in self._keys),
            adapters=tuple((a.name, a.instance) for a in self._adapters.values()),
        )

    # -- adapters

    def pin(self, name: str, instance: str) -> None:
        """Reserve ``instance`` for adapter ``name`` (rule 1), before or after the file's tags."""
        _check_instance(name, instance)
        attached = self._adapters.get(name)
        if attached is not None and attached.instance != instance:
            raise BadInput(f"adapter {name!r} is already attached to instance {attached.instance}")
        holder = self._claims().get(instance, name)
        if holder != name:
            if instance in self._by_instance:
                why = f"is attached to {holder!r}"
            elif self._pinned.get(holder) == instance:
                why = f"is pinned for {holder!r}"
            else:
                why = f'is tagged "{ADAPTER_NAME_VALUE}"="{holder}"'
            raise BadInput(f"adapter {name!r}: instance {instance} {why}")
        self._pinned[name] = instance

    def add_adapter(self, name: str, *, instance: str | None = None) -> AdapterKeywords:
        """Attach adapter ``name`` to an instance key, by the rule in the module docstring."""
        if name in self._adapters:
            raise BadInput(f"adapter {name!r} is attached twice")  # before pin() can complain
        if instance is not None:
            self.pin(name, instance)
        claims = self._claims()
        instance = next((i for i, holder in claims.items() if holder == name), None)
        if instance is None:
            free = (i for i in self.instances() if i not in claims)
            instance = next(free, None) or self._next_instance()
        return self._attach(AdapterKeywords(registry=self, name=name, instance=instance))

    def attach_instances(self) -> None:
        """Attach every instance key no adapter holds, named by its tag else its number: the
        view of a file on its own, with no scenario."""
        for instance in self.instances():
            if instance not in self._by_instance:
                holder = self._claims().get(instance)
                name = instance if holder is None or holder in self._adapters else holder
                self._attach(AdapterKeywords(registry=self, name=name, instance=instance))

    def ensure_adapter(self, name: str) -> AdapterKeywords:
        """The adapter ``name``, attached by the matching rule if it is not yet."""
        adapter = self._adapters.get(name)
        return adapter if adapter is not None else self.add_adapter(name)

    def keywords(self, adapter: str) -> tuple[tuple[str, str], ...]:
        """``adapter``'s keywords as (name, text) pairs; see ``AdapterKeywords.keywords``."""
        return self._adapters[adapter].keywords()

    def write(self, adapter: str, keyword: str, value: str | int | None) -> None:
        """Set ``adapter``'s ``keyword`` (REG_SZ), or delete it when ``value`` is None."""
        if value is None:
            self._adapters[adapter].delete(keyword)
        else:
            self._adapters[adapter].set(keyword, value)

    def adapter(self, name: str) -> AdapterKeywords:
        """The adapter attached as ``name``; KeyError if there is none."""
        return self._adapters[name]

    @property
    def adapters(self) -> tuple[AdapterKeywords, ...]:
        """Attached adapters, in attach order."""
        return tuple(self._adapters.values())

    def instances(self) -> tuple[str, ...]:
        """Instance numbers that have a key (or a subkey) in the tree, ascending."""
        found = {_instance_of(key.parts) for key in self._keys}
        return tuple(sorted(i for i in found if i is not None))

    # -- any key

    def keys(self) -> tuple[str, ...]:
        """Every key path, in save order."""
        return tuple(key.path for key in self._keys)

    def get_value(self, path: str, name: str) -> RegValue | None:
        """Value ``name`` ("" for the default value) of key ``path``, case-insensitive."""
        return self._value(_parts(path), name)

    def set_value(self, path: str, value: RegValue) -> None:
        """Store ``value`` under key ``path``, creating the key if needed."""
        check_key_path(path)
        self._put(_parts(path), path, value)

    def delete_value(self, path: str, name: str) -> None:
        self._delete(_parts(path), name)

    # -- internals

    def _load(self, document: RegDocument, source: str) -> None:
        # REGEDIT4 text for hex(2)/hex(7) held ANSI bytes, so it cannot be saved back as is.
        keep_raw = document.version == 5
        tag_lines: dict[str, int] = {}
        for block in document.keys:
            parts = _parts(block.path)
            if block.delete:
                self._delete_tree(parts)
                continue
            key = self._by_parts.get(parts)
            if key is None:
                key = self._add_key(_Key(block.path, parts), sorted_insert=False)
            key.comments += block.comments
            for line in block.values:
                if line.value is None:
                    key.remove(line.name)
                    continue
                raw = line.raw if keep_raw else None
                key.put(
                    _Entry(value=line.value, raw=raw, comments=line.comments), sorted_insert=False
                )
                if fold(line.name) == fold(ADAPTER_NAME_VALUE):
                    tag_lines[block.path] = line.line
        self._trailing_comments = document.trailing_comments
        self._check_tags(source, tag_lines)

    def _check_tags(self, source: str, tag_lines: Mapping[str, int]) -> None:
        seen: dict[str, str] = {}
        for key, instance, value in self._tag_values():
            line = tag_lines.get(key.path)
            name = value.as_text() if value.type == REG_SZ else None
            if len(key.parts) != len(_CLASS_PARTS) + 1:
                raise RegFileError(
                    source, line, f'"{ADAPTER_NAME_VALUE}" belongs in the instance key'
                )
            if not name:
                raise RegFileError(
                    source, line, f'"{ADAPTER_NAME_VALUE}" must be a non-empty string'
                )
            if name in seen:
                raise RegFileError(
                    source, line, f"adapter name {name!r} is also given to instance {seen[name]}"
                )
            seen[name] = instance

    def _attach(self, adapter: AdapterKeywords) -> AdapterKeywords:
        if adapter.name in self._adapters:
            raise BadInput(f"adapter {adapter.name!r} is attached twice")
        self._adapters[adapter.name] = adapter
        self._by_instance[adapter.instance] = adapter
        return adapter

    def _claims(self) -> dict[str, str]:
        """Instance -> the adapter that holds it or will: attached, else pinned, else tagged."""
        claims = {i: n for i, n in self._tags().items() if n not in self._pinned}
        claims.update({i: n for n, i in self._pinned.items()})
        claims.update({i: a.name for i, a in self._by_instance.items()})
        return claims

    def _tags(self) -> dict[str, str]:
        """Instance number -> the adapter name its key is tagged with."""
        tags: dict[str, str] = {}
        for key, instance, value in self._tag_values():
            name = value.as_text()
            if name and len(key.parts) == len(_CLASS_PARTS) + 1:
                tags[instance] = name
        return tags

    def _tag_values(self) -> Iterator[tuple[_Key, str, RegValue]]:
        """Every ``ndisemu.AdapterName`` value under an instance key, with its key and instance."""
        tag = fold(ADAPTER_NAME_VALUE)
        for key in self._keys:
            instance = _instance_of(key.parts)
            entry = key.entries.get(tag)
            if instance is not None and entry is not None:
                yield key, instance, entry.value

    def _next_instance(self) -> str:
        used = [int(i) for i in (*self.instances(), *self._claims())]
        number = max(used, default=-1) + 1
        if number > 9999:
            raise BadInput("no free adapter instance number (0000-9999 are all used)")
        return f"{number:04d}"

    def _add_key(self, key: _Key, *, sorted_insert: bool) -> _Key:
        at = len(self._keys)
        if sorted_insert:
            at = _insertion_point([k.parts for k in self._keys], key.parts)
        self._keys.insert(at, key)
        self._by_parts[key.parts] = key
        return key

    def _delete_tree(self, parts: _Parts) -> None:
        doomed = [key for key in self._keys if key.parts[: len(parts)] == parts]
        for key in doomed:
            self._keys.remove(key)
            del self._by_parts[key.parts]

    def _path_of(self, parts: _Parts, default: str) -> str:
        key = self._by_parts.get(parts)
        return default if key is None else key.path

    def _value(self, parts: _Parts, name: str) -> RegValue | None:
        key = self._by_parts.get(parts)
        entry = None if key is None else key.entries.get(fold(name))
        return None if entry is None else entry.value

    def _put(self, parts: _Parts, path: str, value: RegValue) -> None:
        key = self._by_parts.get(parts)
        if key is None:
            key = self._add_key(_Key(path, parts), sorted_insert=True)
        key.put(_Entry(value=value), sorted_insert=True)
        self._count(parts)

    def _delete(self, parts: _Parts, name: str) -> None:
        key = self._by_parts.get(parts)
        if key is not None and key.remove(name):
            self._count(parts)

    def _count(self, parts: _Parts) -> None:
        self.change_count += 1
        instance = _instance_of(parts)
        adapter = None if instance is None else self._by_instance.get(instance)
        if adapter is not None:
            adapter.change_count += 1

    def _snapshot_of(self, parts: _Parts, path: str) -> KeySnapshot:
        key = self._by_parts.get(parts)
        return KeySnapshot(path=path, values=() if key is None else key.values())

    def _param(self, parts: _Parts) -> NdiParam | None:
        key = self._by_parts.get(parts)
        if key is None:
            return None
        enum = self._by_parts.get((*parts, "ENUM"))
        keyword = key.path.rsplit("\\", 1)[1]
        return NdiParam.from_values(keyword, key.values(), () if enum is None else enum.values())

    def _params_under(self, parts: _Parts) -> tuple[NdiParam, ...]:
        depth = len(parts) + 1
        found = [
            key.parts for key in self._keys if len(key.parts) == depth and key.parts[:-1] == parts
        ]
        params = (self._param(p) for p in sorted(found))
        return tuple(p for p in params if p is not None)


# --- files --------------------------------------------------------------------------------------


def load_reg(
    path: str | os.PathLike[str],
    *,
    adapters: Sequence[str] = (),
    instances: Mapping[str, str] | None = None,
) -> Registry:
    """Read a .reg file (any encoding ``reg export`` or an editor writes) into a Registry.

    Every problem, an unreadable file included, raises RegFileError naming the file.
    """
    source = os.fspath(path)
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise RegFileError(source, None, f"cannot read: {exc.strerror or exc}") from None
    text = decode_reg_bytes(data, source=source)
    return Registry.from_reg_text(text, source=source, adapters=adapters, instances=instances)


def save_reg(
    registry: Registry, path: str | os.PathLike[str], *, encoding: Encoding = "utf-16"
) -> None:
    """Write ``registry`` as ``reg export`` does (UTF-16 LE with BOM, CRLF), or as UTF-8.

    Atomic: a reader sees the old file or the new one, never half of either.
    """
    source = os.fspath(path)
    data = encode_reg_text(registry.to_reg_text(), encoding=encoding, source=source)
    try:
        _write_atomically(Path(source), data)
    except OSError as exc:
        raise RegFileError(source, None, f"cannot write: {exc.strerror or exc}") from None


def _write_atomically(target: Path, data: bytes) -> None:
    """Temp file in the same directory (so os.replace is a rename), fsync, replace, fsync dir."""
    try:
        mode: int | None = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None  # a new file gets 0o666 less the umask, as open() would give it
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for attempt in range(100):
        temp = target.with_name(f".{target.name}.{os.getpid()}.{attempt}.tmp")
        try:
            fd = os.open(temp, flags, 0o666)
        except FileExistsError:
            continue  # left over from a crash, or another writer: take the next name
        break
    else:
        raise FileExistsError(f"no free temporary name next to {target}")
    try:
        with os.fdopen(fd, "wb") as file:
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(file.fileno(), mode)  # keep the permissions the user gave the file
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    # Make the rename itself durable; directories cannot be opened for this on Windows.
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
