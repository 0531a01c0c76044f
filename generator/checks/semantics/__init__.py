"""Checks of what alerts and panels mean, not only whether they parse: the classes of mistake behind a nightly
false page, a silence when data vanishes, a counter that goes down, a green 2% conversion, a slow alert."""
