"""python -m generator."""

from generator.cli.entry import main

main()
