"""Secrets are referenced by file, never written in definitions: this spots the ones that are inlined."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# Field names that only ever hold a secret; each has a *_file counterpart.
SECRET_FIELDS = {
    "password": "password_file",
    "auth_password": "auth_password_file",
    "api_url": "api_url_file",
    "webhook_url": "api_url_file",
    "routing_key": "routing_key_file",
    "service_key": "service_key_file",
    "token": "credentials_file",
    "credentials": "credentials_file",
    "bearer_token": "credentials_file",
}

_SECRET_VALUES = (
    (re.compile(r"https://hooks\.slack\.com/services/\S+"), "a Slack webhook URL"),
    (re.compile(r"\bxox[abpr]-[0-9A-Za-z-]+"), "a Slack token"),
    (re.compile(r"^[0-9a-f]{32}$"), "a 32-hex-digit integration/routing key"),
)
_SECRET_QUERY_KEYS = {"token", "key", "api_key", "apikey", "routing_key", "secret", "password", "access_token"}


def secret_in_value(value: str) -> str:
    """What kind of secret a string holds, or "" when it looks clean."""
    for pattern, kind in _SECRET_VALUES:
        if pattern.search(value):
            return kind
    if "://" in value:
        parts = urlsplit(value)
        if parts.password:
            return "a password inside a URL"
        if any(k.lower() in _SECRET_QUERY_KEYS for k, _ in parse_qsl(parts.query)):
            return "a token in a URL's query string"
    return ""


def reject_inline_secrets(data: Any) -> Any:
    """Validator body (mode="before"): fail on a secret-only field or a secret-looking value."""
    if not isinstance(data, dict):
        return data
    for key, value in data.items():
        if key in SECRET_FIELDS and value:
            raise ValueError(
                f"inlined secret in {key!r}: put it in a file and reference it with {SECRET_FIELDS[key]!r}"
            )
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if isinstance(item, str) and (kind := secret_in_value(item)):
                raise ValueError(f"{key!r} inlines {kind}: reference a file (*_file field) instead")
    return data
