"""Checks switched off for the whole project, each with the reason (one definition: `# obsgen: disable=CODE why`)."""

import re

from pydantic import Field, field_validator

from generator.model.base import Definition

CODE = re.compile(r"^[A-Z]{2}\d{3}$")


class CheckSettings(Definition):
    """Which checks the project switches off, as pint's `disabled` checks; the build lists what it set aside."""

    disable: dict[str, str] = Field(default_factory=dict,
                                    description='Check code -> why it is off here, e.g. {"GD002": "reason"}.')

    @field_validator("disable")
    @classmethod
    def _codes_with_reasons(cls, disable: dict[str, str]) -> dict[str, str]:
        for code, reason in disable.items():
            if not CODE.match(code):
                raise ValueError(f"{code!r} is not a check code (two capitals and three digits, e.g. GD002)")
            if not reason.strip():
                raise ValueError(f"say why {code} is switched off")
        return disable
