"""An email channel with no SMTP settings is refused at build time, as amtool refuses the configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import load
from generator.core.errors import DefinitionError
from tests.importer.conftest import base_definitions


def test_an_email_channel_without_smtp_settings_is_an_error_at_the_channel(tmp_path: Path) -> None:
    definitions = base_definitions(tmp_path)
    base = definitions / "_base.py"
    base.write_text("\n".join(line for line in base.read_text().splitlines() if "smtp=Smtp(" not in line) + "\n")
    channel_line = next(number for number, line in enumerate(base.read_text().splitlines(), start=1)
                        if "EmailChannel(" in line and "=" in line.split("EmailChannel(")[0])

    with pytest.raises(DefinitionError, match="email channel email needs SMTP settings") as raised:
        load(definitions)

    assert (Path(raised.value.location.file).name, raised.value.location.line) == ("_base.py", channel_line)
