"""stack.scenario."""
