"""Packaging of what targets rendered: serialisation, the atomic write of out/, Kubernetes objects."""
