"""Derivations shared by the loader, checks and targets: computed once from the model, never from rendered output."""
