"""Reading what definitions mean: diffs between two builds, static alert latency bounds."""
