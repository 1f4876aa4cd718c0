"""The memo of the pure rules answers as the function does, whatever the arguments."""

from __future__ import annotations

from stack.ndis import NDIS_OFFLOAD
from stack.ndis._memo import memoised
from stack.ndis._rules import changed_members


def test_memoised_calls_once_per_distinct_arguments_and_stays_bounded() -> None:
    calls: list[object] = []

    @memoised(maxsize=2)
    def double(x: object) -> object:
        calls.append(x)
        return (x, x)

    assert double(1) == (1, 1) and double(1) == (1, 1)
    assert calls == [1]
    assert double([2]) == ([2], [2]) and double([2]) == ([2], [2])  # unhashable: not memoised
    assert calls == [1, [2], [2]]
    double(3)
    double(4)  # full: the memo empties itself rather than grow
    double(1)
    assert calls[-3:] == [3, 4, 1]


def test_keyword_calls_bypass_the_memo() -> None:
    calls: list[int] = []

    @memoised()
    def f(x: int, y: int = 0) -> int:
        calls.append(x)
        return x + y

    assert f(1, y=2) == 3 and f(1, y=2) == 3
    assert calls == [1, 1]


def test_changed_members_memoised_is_still_the_rule() -> None:
    before = NDIS_OFFLOAD()
    assert changed_members(before, before) == ()
    assert changed_members(before, before) == ()
