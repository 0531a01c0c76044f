"""detect-secrets' format plugins, loaded for a scan: imported on the first text not already known clean, without
their online verification's requests nor the package's file scanner, each with its patterns in linear time."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

from generator.core import linear_patterns

if TYPE_CHECKING:
    from detect_secrets.plugins.base import RegexBasedDetector


@contextmanager
def _offline() -> Iterator[None]:
    """detect-secrets' plugins import requests at module level to verify a secret online, which obsgen never asks
    (a build touches no network); requests and urllib3 are a third of a build's imports. While the plugins are
    imported a placeholder stands in for requests (any attribute is a stand-in class, for the annotations of their
    verify functions) unless the real one is loaded already; any later `import requests` gets the real package."""
    if "requests" in sys.modules:
        yield
        return
    placeholder = ModuleType("requests", "A stand-in: detect-secrets' online verification is never called.")
    placeholder.__getattr__ = lambda name: type(name, (Exception,), {})  # type: ignore[method-assign]
    sys.modules["requests"] = placeholder
    try:
        yield
    finally:
        if sys.modules.get("requests") is placeholder:
            del sys.modules["requests"]


@contextmanager
def _package_deferred() -> Iterator[None]:
    """detect-secrets' package __init__ imports its file scanner (SecretsCollection: the scan loop, its filters,
    the gibberish model, the plugins' initialisation), half of what importing the format plugins costs (15 of 30 ms),
    and obsgen uses only the plugins. While they are imported the package stands in sys.modules with its __init__
    not yet run; the first name asked of it that it lacks (`from detect_secrets import SecretsCollection`, by
    anyone) runs __init__ then, in the same module, so a caller sees the package as it always is."""
    spec = importlib.util.find_spec("detect_secrets") if "detect_secrets" not in sys.modules else None
    if spec is None or spec.loader is None:  # loaded already, or not installed (the import then says so)
        yield
        return
    loader, package = spec.loader, importlib.util.module_from_spec(spec)

    def run_init(name: str) -> object:
        del package.__getattr__
        loader.exec_module(package)
        return getattr(package, name)

    package.__getattr__ = run_init  # type: ignore[method-assign]
    sys.modules["detect_secrets"] = package
    try:
        yield
    except BaseException:
        if sys.modules.get("detect_secrets") is package:
            del sys.modules["detect_secrets"]
        raise


@cache
def plugins() -> tuple[RegexBasedDetector, ...]:
    """Every format plugin of detect-secrets but the public-IP one (an address is not a secret), imported on the
    first text not already known clean: a build whose texts were all scanned before never loads detect-secrets."""
    with _offline(), _package_deferred():
        from detect_secrets.plugins.artifactory import ArtifactoryDetector
        from detect_secrets.plugins.aws import AWSKeyDetector
        from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
        from detect_secrets.plugins.basic_auth import BasicAuthDetector
        from detect_secrets.plugins.cloudant import CloudantDetector
        from detect_secrets.plugins.discord import DiscordBotTokenDetector
        from detect_secrets.plugins.github_token import GitHubTokenDetector
        from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
        from detect_secrets.plugins.ibm_cloud_iam import IbmCloudIamDetector
        from detect_secrets.plugins.ibm_cos_hmac import IbmCosHmacDetector
        from detect_secrets.plugins.jwt import JwtTokenDetector
        from detect_secrets.plugins.mailchimp import MailchimpDetector
        from detect_secrets.plugins.npm import NpmDetector
        from detect_secrets.plugins.openai import OpenAIDetector
        from detect_secrets.plugins.private_key import PrivateKeyDetector
        from detect_secrets.plugins.pypi_token import PypiTokenDetector
        from detect_secrets.plugins.sendgrid import SendGridDetector
        from detect_secrets.plugins.slack import SlackDetector
        from detect_secrets.plugins.softlayer import SoftlayerDetector
        from detect_secrets.plugins.square_oauth import SquareOAuthDetector
        from detect_secrets.plugins.stripe import StripeDetector
        from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
        from detect_secrets.plugins.twilio import TwilioKeyDetector
    plugins = tuple(plugin() for plugin in (
        ArtifactoryDetector, AWSKeyDetector, AzureStorageKeyDetector, BasicAuthDetector, CloudantDetector,
        DiscordBotTokenDetector, GitHubTokenDetector, GitLabTokenDetector, IbmCloudIamDetector, IbmCosHmacDetector,
        JwtTokenDetector, MailchimpDetector, NpmDetector, OpenAIDetector, PrivateKeyDetector, PypiTokenDetector,
        SendGridDetector, SlackDetector, SoftlayerDetector, SquareOAuthDetector, StripeDetector,
        TelegramBotTokenDetector, TwilioKeyDetector))
    for plugin in plugins:  # each its own patterns, in linear time (some took minutes on runs of spaces)
        vars(plugin)["denylist"] = [linear_patterns.linear(regex) for regex in plugin.denylist]
    return plugins
