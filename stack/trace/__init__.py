"""stack.trace."""
