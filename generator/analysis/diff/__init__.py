"""`obsgen diff`: both sides built from git into temporary directories, their outputs compared by meaning."""
