"""Cross-reference checks: every name a definition uses is defined, once, with the right kind."""
