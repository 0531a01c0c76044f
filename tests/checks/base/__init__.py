"""The smallest valid project: each check case adds one module (or replaces one of these) to show one problem."""
