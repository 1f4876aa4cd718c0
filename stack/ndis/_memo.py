"""Memoising the pure structure rules: the same (frozen, hashable) arguments come back run after
run of a campaign -- every run initialises the same miniports from the same keywords, applies the
same parameter sets, compares the same configurations -- and the answers are values.

``memoised`` keeps up to ``maxsize`` answers keyed by the positional arguments (their ``==`` and
``hash``: the structures are frozen attrs classes with ``cache_hash``) and empties itself when
full, so its memory is bounded and what it holds never depends on the order of anything but the
calls.  A call with keyword arguments, or with an argument that cannot be hashed, is simply not
memoised.  Only for functions whose answer is a function of their arguments' values alone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def memoised(maxsize: int = 1024) -> Callable[[Callable[P, R]], Callable[P, R]]:
    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        cache: dict[tuple[Any, ...], R] = {}

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if kwargs:
                return fn(*args, **kwargs)
            try:
                return cache[args]
            except KeyError:
                pass
            except TypeError:  # an unhashable argument
                return fn(*args, **kwargs)
            result = fn(*args, **kwargs)
            if len(cache) >= maxsize:
                cache.clear()
            cache[args] = result
            return result

        wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]
        return wrapper

    return decorate
