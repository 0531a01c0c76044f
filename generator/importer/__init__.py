"""`obsgen import`: existing rule files become definitions modules that build back to the same rules."""
