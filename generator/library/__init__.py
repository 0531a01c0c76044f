"""Ready-made definitions that projects include: meta-monitoring of the pipeline itself."""
