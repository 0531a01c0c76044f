"""The obsgen command line: the program's entry (entry.py), its commands (app.py, each living in the module of its
topic), and what spares a command line typer's import: a help or a build's options kept from before
(command_record.py), the build replayed with them (quick_build.py)."""
