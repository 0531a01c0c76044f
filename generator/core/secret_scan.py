"""Secrets in text: Yelp detect-secrets' format plugins, plus the URL and header rules it has no plugin for.

detect-secrets keeps the formats of the common providers (Slack, GitHub, GitLab, AWS, Stripe, SendGrid, Twilio,
OpenAI, npm, PyPI, JWTs, private keys, basic auth in URLs, Telegram and Discord bot tokens...) as one class per
format with its own regexes and validity checks; obsgen uses those classes as they are, so a new release adds
formats here without a change. Its high-entropy and keyword plugins are not used: they flag every checksum and
dashboard uid in a rendered tree. What obsgen's outputs carry that no plugin knows is below: credentials in a
URL's user part, in a query or fragment parameter named for one, or as a random-looking path segment (webhook
tokens of Discord, Telegram, Slack); Authorization headers and bearer tokens; 32-hex-digit PagerDuty keys;
Grafana's tokens; passwords given as keyword=value (DSNs) or named in prose. A `$VAR` is a reference only where
the server reading the file expands it (reference()).
"""

from __future__ import annotations

import hashlib
import math
import re
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from generator.core import linear_patterns, secret_plugins
from generator.core.disk_cache import DiskCache, package_version, source_digest
from generator.core.joined import Joined

SCHEME = r"(?:(?<![A-Za-z0-9+.-])|(?<=@[A-Za-z0-9]))[0-9+.-]*+"
"""Where a URL starts: at the first letter of a run of scheme characters (a later start in the run would find the
same `://` after the same run, so it is not tried: trying each made a long word's scan quadratic, 200k letters
took minutes), or after the host character USER_PART ends at (a scan resumes there)."""
URL = re.compile(SCHEME + r"([A-Za-z][A-Za-z0-9+.-]*+://[^\s\"'<>`|]+)")
USER_PART = re.compile(SCHEME + r"[A-Za-z][A-Za-z0-9+.-]*+://[^\s/?#@:]*+:"
                       r"((?=[^\s/?#@\"'<>`|]*+[\"'<>`|])[^\s/?#@]*+)@[A-Za-z0-9\[]")
"""A URL's user part whose password holds a character URL stops at (`'` is even legal there, RFC 3986's
sub-delims): `postgresql://app:upEr'S3cret99@db/shop`. URL alone would end at the quote and never see the `@`."""
QUOTE = re.compile(r"[\"'<>`|]")
CREDENTIAL_PARAMETERS = re.compile(
    r"^(x-)?(access[-_]?token|api[-_]?key|apikey|auth|auth[-_]?token|token|key|secret|client[-_]?secret|password|"
    r"passwd|pwd|pass|sig|signature|code|private[-_]?token|session|sessionid|credentials?|"
    r"(routing|service|integration)[-_]?key|x-(amz|goog)-(signature|security-token))$", re.IGNORECASE)
"""Query parameters that carry a credential, among them a pre-signed S3 or GCS URL's signature and session token
(X-Amz-Signature, X-Amz-Security-Token, X-Goog-Signature): whoever holds the URL may read the object."""
ENVIRONMENT_REFERENCE = re.compile(r"^\$(\{(env:)?[A-Z_][A-Z0-9_]*\}|[A-Z_][A-Z0-9_]*)$")
"""An environment variable by its conventional name: `$VAR` and `${VAR}` (Grafana's provisioning files, Loki and
Tempo run with -config.expand-env), `${env:VAR}` (the collector). Only UPPER_SNAKE names: a password that merely
starts with `$` (`$Hunter2pw`, `$upErS3cret99`) is a password, not a reference."""
TEMPLATED = re.compile(r"^(\$__(env|file|vault)\{[^{}\s]+\}|\{\{.*\}\})$")
"""A value the consuming server fills in whatever it is: Grafana's `$__env{VAR}`, `$__file{path}` and
`$__vault{...}`, or a Go template Prometheus and Alertmanager expand from the alert (`{{ $labels.x }}`)."""


def reference(value: str, expands: bool = True) -> bool:
    """Whether value is a reference to a secret held elsewhere, not the secret: a template the server fills in, or
    (when the file's server expands the environment, expands=True) an environment variable. Alertmanager expands
    none (it has *_file fields instead): there `$VAR` is sent as it is, so it is the password itself."""
    return bool(TEMPLATED.match(value) or (expands and ENVIRONMENT_REFERENCE.match(value)))


GRAFANA_TOKENS = (
    # Grafana's own formats, which no detect-secrets plugin knows (the same as gitleaks' rules): a service
    # account token is glsa_, 32 alphanumerics, _ and an 8-hex-digit checksum; a Grafana Cloud access policy
    # token is glc_ and base64 JSON; a legacy API key is base64 JSON starting {"k":" (eyJrIjoi). The prefixes
    # and lengths are the products' own, so no word or identifier of a rendered tree matches.
    ("a Grafana service account token", re.compile(r"(?<![A-Za-z0-9_])glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}(?![\w])")),
    ("a Grafana Cloud access policy token", re.compile(r"(?<![A-Za-z0-9_])glc_[A-Za-z0-9+/]{32,400}={0,3}")),
    ("a Grafana API key", re.compile(r"(?<![A-Za-z0-9_])eyJrIjoi[A-Za-z0-9]{70,400}={0,3}")),
)
KEYWORD_PASSWORD = re.compile(
    r"(?i)(?<![\w.-])\w*?(?:password|passwd|pwd)(?:\s*=\s*('[^']*'|\"[^\"]*\"|\{\{.*?\}\})|=([^\s;&,'\"]+))")
"""A password given as keyword=value: libpq's `host=db password=...`, ODBC's `Pwd=...;`, a `PGPASSWORD=...`
assignment. `password=` (not `password_file=`, not `!=`) is followed by the value itself in every such syntax.
With spaces around `=` only a quoted value counts: `local password = passwordSplit[1]` is code naming one."""
PROSE_PASSWORD = re.compile(
    r"(?i)\b(?:password|passwd|passphrase)(?:\s++(?:is|was))?(?:\s*+:\s++|\s++)[\"'`]?([^\s\"'`,;()]+)")
r"""A password named in prose, `the admin password Tr0ub4dor-3xKq9`, `password: ...`. Only a value that looks
generated or chosen to be strong counts (see _password_like): the word after "password" in a rendered tree is
otherwise a word (file, authentication, for), a path or a reference. Its blanks are possessive, a colon's first
(`\s*:?\s+` split a run of blanks every way: `password` then 5k tabs took 0.3 s, x78 for x10 more)."""
PLACEHOLDER = re.compile(r"^(<.*>|\[.*\]|(.)\2*|\.\.\.|redacted|secret|changeme|none|null|example)$", re.IGNORECASE)
"""A value that stands for one in documentation (<secret>, ***, xxx, ...): no secret to leak."""
HEADER = re.compile(r"\b(?:proxy-)?authorization\s*+[:=]\s*+(?:[\"']\s*+)?(?:bearer|basic|token|apikey)\s+"
                    r"([A-Za-z0-9._~+/=-]{8,})", re.IGNORECASE)
CREDENTIAL_HEADER = re.compile(
    r"(?i)(?<![\w-])((?:x-)?(?:[a-z]+-)?(?:api-?key|auth-?token|access-?token|private-?token|session-?token|"
    r"security-?token|vault-?token))\s*:\s*[\"']?([A-Za-z0-9._~+/=-]{8,})")
"""A credential sent in a header of its own, as `Name: value` (curl -H): X-API-Key, X-Auth-Token, GitLab's
PRIVATE-TOKEN, X-Vault-Token, X-Amz-Security-Token. Names with a hyphen only (a YAML key `api_key:` is under_key's),
and a value typed out: a reference ($VAR, {{ ... }}) starts with a character the value cannot hold; a word
(`access-token: required`) is no value: one has a digit or 16 characters."""
CREDENTIAL_HEADER_END = re.compile(r"(?i)(?:key|token)\s*:")
"""How every CREDENTIAL_HEADER ends its name: a text without it is not searched (a third of the time on out/)."""
BEARER = re.compile(r"\bbearer\s+([A-Za-z0-9._~+/-]{20,}=*)", re.IGNORECASE)
HEX_KEY = re.compile(r"(?<![0-9a-fA-F/._-])[0-9a-f]{32}(?![0-9a-fA-F/._-])")  # not a uid in a path or file name
SECRET_KEY = re.compile(r"(?i)^(.*password|.*passwd|.*secret|.*token|api[-_]?key|apikey|credentials|"
                        r"secureJsonData|(routing|service|integration)[-_]?key)$")
"""Keys whose value is a secret (Grafana's basicAuthPassword and secureJsonData, Alertmanager's *_password...)."""
REFERENCE_KEY = re.compile(r"(?i)(_file|File|_env|_path)$")
MIN_PATH_TOKEN = 20
MIN_PATH_ENTROPY = 3.5  # bits per character: random base64 is near 6, English words near 3
LOWER_RUN = re.compile(r"[a-z]+")
MAX_LOWER_RUN = 2.5  # mean length of lower-case runs: about 1.6 in random base64, 3 and more in CamelCase names


@dataclass(frozen=True)
class Secret:
    """A secret found in a text: what kind it is, and its text."""

    kind: str
    value: str


def entropy(text: str) -> float:
    """Shannon entropy of text in bits per character."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def random_token(text: str) -> bool:
    """A long mixed-case-and-digit string of high entropy whose lower-case runs are short: a generated token,
    not a word, a slug or a CamelCase name (ApiLatencyBudgetBurn1h)."""
    if len(text) < MIN_PATH_TOKEN or "." in text or not (any(c.isupper() for c in text)
                                                         and any(c.isdigit() for c in text)):
        return False  # a dot: a file name (runbooks/PipeUpBudgetBurn1h.md), not a token
    runs = LOWER_RUN.findall(text)
    return bool(runs) and sum(map(len, runs)) / len(runs) <= MAX_LOWER_RUN and entropy(text) >= MIN_PATH_ENTROPY


def _unexpanded(value: str, expands: bool) -> str:
    """What to add to a secret's kind when it is an environment reference the file's server does not expand."""
    return "" if expands or not ENVIRONMENT_REFERENCE.match(value) else " (not expanded here: it is sent as it is)"


def in_url(url: str, expands: bool = True) -> Iterator[Secret]:
    """Credentials a URL carries: in its user part, a credential parameter, or a token-like path segment."""
    try:
        parts = urlsplit(url)
        user, password = parts.username, parts.password
    except ValueError:
        return
    if password and not reference(password, expands):
        yield Secret("a password in a URL's user part" + _unexpanded(password, expands), password)
    elif user and random_token(unquote(user)):
        yield Secret("a token in a URL's user part", user)
    for where, text in (("query", parts.query), ("fragment", parts.fragment)):
        for name, value in parse_qsl(text, keep_blank_values=False):
            if CREDENTIAL_PARAMETERS.match(name) and not reference(value, expands) and not value.isdigit():
                yield Secret(f"a credential in a URL's {where} parameter {name!r}" + _unexpanded(value, expands),
                             value)
    for segment in parts.path.split("/"):
        token = unquote(segment).split(":", 1)[-1]  # Telegram's bot<id>:<token>
        if random_token(token):
            yield Secret("a random-looking token in a URL path", segment)


def in_user_part(text: str, expands: bool = True) -> Iterator[Secret]:
    """Passwords holding a quote (or another character URL ends at) in the user parts of the URLs in text. When
    the part before that character is a port (`{url="http://db:5432",owner="ops@x"}`, a matcher's next value
    after the quote), it is not a password."""
    for password in USER_PART.findall(text):
        if not QUOTE.split(password, 1)[0].isdigit() and not reference(password, expands):
            yield Secret("a password in a URL's user part", password)


def _given(value: str, expands: bool) -> bool:
    """Whether a value typed after `password` is a password: not empty, a placeholder, a reference or a path."""
    value = value.strip("'\"").strip()
    return (any(c.isalnum() for c in value) and not PLACEHOLDER.match(value) and not reference(value, expands)
            and not value.startswith(("/", "~/", "./", "$(", "{{")))


def _password_like(value: str) -> bool:
    """A chosen or generated password, not a word: 8 characters or more, letters and digits, with both cases or
    a symbol (`Tr0ub4dor-3xKq9`); no URL, path or identifier (`auth_password_file`, `${GRAFANA_PASSWORD}`)."""
    letters, digits = any(c.isalpha() for c in value), any(c.isdigit() for c in value)
    cases = any(c.isupper() for c in value) and any(c.islower() for c in value)
    symbol = any(not c.isalnum() and c != "_" for c in value)
    return (len(value) >= 8 and letters and digits and (cases or symbol) and "_" not in value
            and "/" not in value and "$" not in value and "{" not in value)


def in_prose(text: str, expands: bool = True) -> Iterator[Secret]:
    """Passwords given as keyword=value or named in prose, and Grafana's tokens."""
    for value in map("".join, KEYWORD_PASSWORD.findall(text)):
        if _given(value, expands):
            yield Secret("a password given as keyword=value (a DSN or an assignment)", value.strip("'\""))
    for value in PROSE_PASSWORD.findall(text):
        if _given(value, expands) and _password_like(value):
            yield Secret("a password written after the word password", value)
    for kind, token in GRAFANA_TOKENS:
        for match in token.findall(text):
            yield Secret(kind, match)


def under_key(key: str, value: str, expands: bool = True) -> Secret | None:
    """The value of a key that only ever holds a secret, unless empty or a reference ($__file{...}, ${VAR})."""
    if SECRET_KEY.match(key) and not REFERENCE_KEY.search(key) and value.strip() and not reference(value, expands):
        return Secret(f"a value under the key {key!r}" + _unexpanded(value, expands), value)
    return None


_clean: DiskCache | None = None


def cache_version() -> str:
    """The clean-texts cache's version: detect-secrets' release and the source of the code that scans."""
    return (f"detect-secrets {package_version('detect-secrets')} "
            f"{source_digest(__file__, linear_patterns.__file__, secret_plugins.__file__)}")


@contextmanager
def clean_cached(definitions: Path) -> Iterator[DiskCache]:
    """Texts of one definitions package found clean, remembered across builds by their digest only (no secret is
    ever written to it) and saved when the outermost block ends: find() scans only texts it has not seen clean.
    Nested blocks share the open cache."""
    global _clean
    if _clean is not None:
        yield _clean
        return
    _clean = DiskCache(definitions, "secrets", cache_version())
    try:
        yield _clean
    finally:
        _clean.get(DENYLISTS)  # the plugins' patterns, kept though no new text asked them: the next one will
        _clean.save()
        _clean = None


def find(text: str, hex_keys: bool = True, expands: bool = True) -> list[Secret]:
    """Every secret in text (one of each value), by detect-secrets' plugins and obsgen's URL, header and key
    rules; hex_keys=False for identifiers (Grafana uids are 32 hex digits too); expands=False for a file whose
    server expands no environment variable (Alertmanager's). Inside clean_cached(), a text found clean before is
    not scanned again."""
    key = f"{int(hex_keys)}{int(expands)}:{hashlib.sha256(text.encode()).hexdigest()}" if _clean is not None else ""
    if _clean is not None and _clean.get(key):
        return []
    found = _scan(text, hex_keys, expands)
    if _clean is not None and not found:
        _clean.put(key, True)
    return found


DENYLISTS = "denylists"
"""The clean-texts cache's entry of every format plugin's patterns, [pattern, flags] each; false when a plugin may
report what its patterns do not find."""


def _denylists() -> list[list[str | int]] | bool:
    """Every format plugin's patterns (detect-secrets imported), when each plugin reports only what they find."""
    plugins = secret_plugins.plugins()
    base, jwt = sys.modules["detect_secrets.plugins.base"], sys.modules["detect_secrets.plugins.jwt"]
    # RegexBasedDetector reports each match of its denylist; the JWT plugin those of them that decode
    reporting = (base.RegexBasedDetector.analyze_string, jwt.JwtTokenDetector.analyze_string)
    if not all(isinstance(plugin, base.RegexBasedDetector) and type(plugin).analyze_string in reporting
               for plugin in plugins):
        return False
    patterns = [regex for plugin in plugins for regex in plugin.denylist]
    return [[regex.pattern, regex.flags] for regex in patterns] if all(
        isinstance(regex.pattern, str) for regex in patterns) else False


_kept: tuple[DiskCache, list[re.Pattern[str]] | None] | None = None
"""The clean-texts cache the plugins' patterns were last taken from, and them compiled (once per cache, not per
text)."""


def _kept_denylists() -> list[re.Pattern[str]] | None:
    """The plugins' patterns, kept with the clean texts (found the first time: whose version names detect-secrets'
    release and this module's source); None outside clean_cached(), or when a plugin may report otherwise."""
    global _kept
    if _clean is None:
        return None
    if _kept is None or _kept[0] is not _clean:
        kept = _clean.get(DENYLISTS)  # (sealed, and written by this source only: as _denylists() returned it)
        if kept is None:
            kept = _denylists()
            _clean.put(DENYLISTS, kept)
        _kept = _clean, None if kept is False else [re.compile(pattern, flags) for pattern, flags in kept]
    return _kept[1]


def _by_plugins(text: str) -> list[Secret]:
    """What detect-secrets' format plugins find in text. Each reports only matches of its patterns (_denylists):
    a text none of them matches needs no plugin, so a build whose new texts match none (a one-alert edit's) never
    imports detect-secrets."""
    patterns = _kept_denylists()
    if patterns is not None and not any(pattern.search(text) for pattern in patterns):
        return []
    return [Secret(plugin.secret_type, value) for plugin in secret_plugins.plugins()
            for value in plugin.analyze_string(text)]


def _scan(text: str, hex_keys: bool, expands: bool) -> list[Secret]:
    found = [secret for url in URL.findall(text) for secret in in_url(url.rstrip(".,;)"), expands)]
    found += in_user_part(text, expands)
    found += in_prose(text, expands)
    found += _by_plugins(text)
    found += [Secret("an Authorization header", match) for match in HEADER.findall(text)]
    if CREDENTIAL_HEADER_END.search(text):
        found += [Secret(f"a credential in a {name} header", value) for name, value in CREDENTIAL_HEADER.findall(text)
                  if _given(value, expands) and (len(value) >= 16 or any(c.isdigit() for c in value))]
    found += [Secret("a bearer token", match) for match in BEARER.findall(text)]
    if hex_keys:
        found += [Secret("a 32-hex-digit integration or routing key (PagerDuty)", match) for match in
                  HEX_KEY.findall(text)]
    return distinct(found)


def distinct(found: list[Secret]) -> list[Secret]:
    """One secret per value (the first kind said), without those inside another's value: a token inside a URL
    already reported whole (a Slack webhook's last segment) is the same secret."""
    unique = list({secret.value: secret for secret in reversed(found)}.values())[::-1]
    values = Joined([secret.value for secret in unique])  # each value against every other: quadratic in Python
    return [secret for index, secret in enumerate(unique)
            if all(other == index for other in values.holding(secret.value))]
