"""The public exception hierarchy.

NDIS failure statuses are data (they travel in completions); exceptions are for bad user input,
drivers that break an NDIS rule, and our own bugs.
"""


class StackError(Exception):
    """Root of every exception ndisemu raises on purpose."""


class BadInput(StackError, ValueError):
    """User input (a file, a buffer, an option) that cannot be used; the CLI exits 2."""


class DriverContractViolation(StackError):
    """A driver did something NDIS forbids, in a given state, against a named rule."""


class EmulatorInternalError(StackError):
    """A bug in ndisemu itself, never in the user's scenario."""
