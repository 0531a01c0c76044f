"""Helpers of bench/build_vs_jsonnet.py: kube-prometheus made into an obsgen project, and the fresh processes
that are measured on it."""
