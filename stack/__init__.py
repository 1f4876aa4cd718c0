"""ndisemu: a deterministic emulator of the Windows NDIS 6.x TCP/IP task-offload stack.

The import package is ``stack``; the layers, lowest first, are ``stack.ndis`` (pure NDIS facts),
``stack.runtime`` (the bus, virtual time, the NDIS library, the registry), ``stack.drivers``,
``stack.scenario``, ``stack.explore`` and ``stack.trace``.  See README.md, "Design".
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
