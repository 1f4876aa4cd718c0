"""Where a campaign's chunks run: here (a local process pool), or on a Dask distributed cluster.

The Dask backend is an optional extra (``pip install 'ndisemu[dask]'``).  It uses the cluster's
``concurrent.futures`` executor (``Client.get_executor()``), so the campaign loop is the same
code for both: chunks of a fixed size, results sorted by seed, hence the same failures for the
same seeds whatever runs them.  The plan carries the scenario's (and the registry file's) bytes,
so workers need ndisemu installed but neither file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import Executor

from stack.errors import BadInput

BACKENDS = ("local", "dask")


@contextlib.contextmanager
def executor_for(backend: str, *, scheduler: str | None = None) -> Iterator[Executor | None]:
    """``None`` for the local backend (the campaign makes its own process pool); for ``dask``
    an executor on the cluster whose scheduler listens at ``scheduler``, closed on exit."""
    if backend == "local":
        if scheduler is not None:
            raise BadInput("--scheduler goes with --backend dask")
        yield None
        return
    if backend != "dask":
        raise BadInput(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if scheduler is None:
        raise BadInput("--backend dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    try:
        from distributed import Client
    except ImportError:
        raise BadInput("--backend dask needs the dask extra: pip install 'ndisemu[dask]'") from None
    try:
        client = Client(scheduler, timeout="10s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise BadInput(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        yield client.get_executor()  # type: ignore[no-untyped-call]
