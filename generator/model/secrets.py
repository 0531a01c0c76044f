"""Secrets are referenced by file, never written in definitions: this spots the ones that are inlined."""

from typing import Any

from generator.core.secret_scan import find, random_token

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

def secret_in_value(value: str) -> str:
    """What kind of secret a string holds, or "" when it looks clean (the formats of core.secret_scan). The models
    checked here become Alertmanager's receivers and the exporter's settings, which expand no environment
    variable: `$VAR` in a URL's password is sent as it is, so it counts as the password."""
    found = find(value, expands=False)
    return found[0].kind if found else ""


def reject_inline_secrets(data: Any) -> Any:
    """Validator body (mode="before"): fail on a secret-only field or a secret-looking value."""
    if not isinstance(data, dict):
        return data
    for key, value in data.items():
        if key in SECRET_FIELDS and value:
            raise ValueError(
                f"inlined secret in {key!r}: put it in a file and reference it with {SECRET_FIELDS[key]!r}"
            )
        if key.endswith("_file") and isinstance(value, str) and "/" not in value and random_token(value):
            raise ValueError(f"{key!r} holds {value[:8]}..., a token, not the name of a file: put the token in a "
                             "file and name that file here")
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if isinstance(item, str) and (kind := secret_in_value(item)):
                raise ValueError(f"{key!r} inlines {kind}: reference a file (*_file field) instead")
    return data
