"""stack.explore."""
