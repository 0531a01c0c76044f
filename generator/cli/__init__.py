"""The obsgen command line: the program's entry (entry.py), its commands (app.py, each living in the module of its
topic) and a help printed before printed again from its record (help_record.py)."""
