"""Pure NDIS facts: constants, structures, the byte codec, rules and state tables.

Nothing here imports trio, structlog, ``random`` or ``time``, or does I/O
(``tests/ndis/test_purity.py`` proves it), so every rule can be tested without an event loop.
"""
