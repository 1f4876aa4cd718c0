"""stack.runtime."""
