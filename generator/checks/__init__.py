"""Validation of out/ with the stack's own tools, and obsgen's native checks."""
