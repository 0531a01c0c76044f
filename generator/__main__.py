"""python -m generator."""

from generator.cli.entry import program

program()
