"""Checks of what the stack does differently from what the definitions ask: each mapping said, never silent."""
