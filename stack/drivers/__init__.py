"""stack.drivers."""
