import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.checks import secrets
from generator.core import secret_scan
from generator.core.secret_scan import find
from generator.model.secrets import secret_in_value
from tests.linear_time import LINEAR

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value", [
    "https://hooks.slack.com/services/T000/B000/XXXX",
    "xoxb-1234-abcd",
    "0123456789abcdef0123456789abcdef",
    "https://user:pass@example.com/hook",
    "https://example.com/hook?token=abc",
])
def test_secret_looking_values_are_spotted(value: str) -> None:
    assert secret_in_value(value)


@pytest.mark.parametrize("value", ["https://events.example.com/v2/enqueue", "#alerts", "oncall@example.com",
                                   "/etc/alertmanager/secrets/slack"])
def test_clean_values_pass(value: str) -> None:
    assert secret_in_value(value) == ""


# A reference is what the server reading the file fills in; anything else after `:` in a URL is the password.
@pytest.mark.parametrize("url", ["https://u:${ALERTS_PASSWORD}@h/x", "https://u:$ALERTS_PASSWORD@h/x",
                                 "https://u:${env:ALERTS_PASSWORD}@h/x", "https://u:$__env{ALERTS_PASSWORD}@h/x",
                                 "https://u:$__file{/run/secrets/pw}@h/x", "https://u:{{ $labels.pw }}@h/x",
                                 "https://h/x?token=$API_TOKEN"])
def test_references_the_server_expands_are_no_secret(url: str) -> None:
    assert find(url) == []


@pytest.mark.parametrize("url", ["https://u:$ALERTS_PASSWORD@h/x", "https://u:${ALERTS_PASSWORD}@h/x",
                                 "https://h/x?token=$API_TOKEN"])
def test_alertmanager_expands_no_environment_variable_so_a_reference_there_is_the_secret(url: str) -> None:
    (secret,) = find(url, expands=False)
    assert "not expanded here" in secret.kind
    assert secret_in_value(url)  # a Channel's url is Alertmanager's


@pytest.mark.parametrize(("text", "password"), [
    ("https://alerts:$Hunter2pw@hooks.example.com/alerts", "$Hunter2pw"),
    ("DB: postgresql://app:$upErS3cret99@db:5432/shop", "$upErS3cret99"),
    ("https://u:${lower_case}@h/x", "${lower_case}"),
    ("DB: postgresql://app:upEr'S3cret99@db:5432/shop", "upEr'S3cret99"),
    ("mysql://root:p'w0rd-Q1@db/x", "p'w0rd-Q1"),
    ('dsn=mysql://root:pw"Q1x@db/x', 'pw"Q1x'),
])
def test_a_password_starting_with_a_dollar_or_holding_a_quote_is_found(text: str, password: str) -> None:
    assert password in [secret.value for secret in find(text)]


@pytest.mark.parametrize("text", ['probe_success{instance="http://db:5432",owner="ops@company.com"}',
                                  "'https://grafana.company.com' or ops@company.com",
                                  "See https://grafana.example.com/d/abc?var-job=$job&from=$__from"])
def test_a_port_then_a_quote_is_not_a_password(text: str) -> None:
    assert find(text) == []


def test_only_alertmanagers_files_are_scanned_as_literal() -> None:
    alertmanager = {"receivers": [{"webhook_configs": [{"url": "https://u:$ALERTS_PASSWORD@h/x"}]}]}
    grafana = {"datasources": [{"url": "https://u:$PROMETHEUS_PASSWORD@prometheus:9090"}]}
    assert not secrets._suspect([(grafana, True)])
    assert secrets._suspect([(alertmanager, False)])
    found, _ = secrets._found({"grafana/provisioning/datasources/obsgen.yml": grafana,
                               "alertmanager/alertmanager.yml": alertmanager,
                               "kubernetes/alertmanager/config-secret.yaml": {"stringData": {"a": "x"}}})
    assert [secret.value for secret in found] == ["$ALERTS_PASSWORD"]


@pytest.mark.parametrize(("text", "secret"), [
    ("host=db user=app password=PlainPw-7781 dbname=shop", "PlainPw-7781"),
    ("host=db password='Plain Pw 7781' dbname=shop", "Plain Pw 7781"),
    ("Driver={PostgreSQL};Server=db;Uid=app;Pwd=Qz81-Lmw7x;", "Qz81-Lmw7x"),
    ("PGPASSWORD=hunter2 psql -h db", "hunter2"),
    ("panel by glsa_Zx8Kq2Lm9Pw4Rt7Yb3Nc6Vd1Hj5Fg0Ts_1a2b3c4d", "glsa_Zx8Kq2Lm9Pw4Rt7Yb3Nc6Vd1Hj5Fg0Ts_1a2b3c4d"),
    ("Bearer-less glc_eyJvIjoiNzM0MjAxIiwibiI6InN0YWNrIiwiayI6IlpxOFh3N1ZlNlV0NVNyNFFwM09uMk1sMSJ9 here",
     "glc_eyJvIjoiNzM0MjAxIiwibiI6InN0YWNrIiwiayI6IlpxOFh3N1ZlNlV0NVNyNFFwM09uMk1sMSJ9"),
    ("The admin password Tr0ub4dor-3xKq9 opens it", "Tr0ub4dor-3xKq9"),
    ("password: `Zk29fJw81Lq`", "Zk29fJw81Lq"),
])
def test_secrets_typed_into_free_text_are_found(text: str, secret: str) -> None:
    assert secret in [found.value for found in find(text)]


@pytest.mark.parametrize("text", [
    "host=db user=app password=$PGPASSWORD dbname=shop", "password='' host=db", "password=<secret>",
    "password=*** (redacted)", "password={{ $labels.password }}", "Pwd=/run/secrets/db", "pwd=~/src",
    'probe_failed{password=~".+"}', "smtp_auth_password_file: /etc/alertmanager/secrets/smtp_password",
    "The password file is /etc/alertmanager/secrets/smtp_password.", "password authentication failed for user app",
    "Rotate the password (see https://wiki.example.com/Pw-Rotation2024).", "basic auth password: ${GRAFANA_PASSWORD}",
    "glsa_ tokens are Grafana's", "password hashes: bcrypt, SHA256Crypt",
])
def test_words_near_password_that_hold_none_pass(text: str) -> None:
    assert find(text) == []


def test_code_naming_a_password_variable_is_no_keyword_dsn() -> None:
    assert find("local password = passwordSplit[1];") == []
    assert [found.value for found in find("password = 'Plain-7781'")] == ["Plain-7781"]


def test_detect_secrets_is_whole_for_anyone_importing_it_after_a_scan() -> None:
    # the scan imports the plugins without the package's __init__; the first name asked of the package runs it
    code = ("import sys\nfrom generator.core.secret_scan import find\nfound = find('xoxb-123456789012-1234567890123-"
            "AbCdEfGhIjKlMnOpQrStUvWx')\nprint(len(found), 'detect_secrets.core.secrets_collection' in sys.modules)\n"
            "from detect_secrets import SecretsCollection\nimport detect_secrets\n"
            "print(SecretsCollection is detect_secrets.SecretsCollection, hasattr(detect_secrets, 'missing'))")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert shown == ["1", "False", "True", "False"]


@pytest.mark.parametrize(("text", "urls", "passwords"), [
    ("1.2http://a b", ["http://a"], []),  # a URL starts at its run's first letter, as it always did
    ("x-y+z://h/p", ["x-y+z://h/p"], []),
    ("a://u:p'q@hb://v:w'x@y", ["a://u:p", "hb://v:w"], ["p'q", "w'x"]),  # resumed after the host's letter
    ("a://u:p'q@h://v:w'x@y", ["a://u:p", "h://v:w"], ["p'q"]),  # the letter was consumed
    ("@1a://u:p'q@h", ["a://u:p"], ["p'q"]),
    ("s://u:'''@h s://u:x@y", ["s://u:", "s://u:x@y"], ["'''"]),
])
def test_where_a_url_starts_is_unchanged(text: str, urls: list[str], passwords: list[str]) -> None:
    assert (secret_scan.URL.findall(text), secret_scan.USER_PART.findall(text)) == (urls, passwords)


LONG_RUNS: dict[str, Callable[[int], str]] = {
    # each start in a run of scheme characters (or spaces after `authorization:`) used to rescan the run: 32k
    # letters took 20 s, 200k did not end in 10 minutes
    "letters": lambda n: "A" * n,
    "letters and digits": lambda n: "a1" * (n // 2),
    "quotes after a user part": lambda n: "a://b:" + "'" * n,
    "spaces after authorization:": lambda n: "authorization:" + " " * n + "x",
    # detect-secrets' assignment (` *(?:=|:|:=|=>| +|::) *`, Cloudant's, IBM's, Softlayer's) was about cubic in a
    # run of spaces: 2000 spaces after `cl_key` did not end in 10 minutes; npm's was quadratic in the `//` of a
    # line, the JWT's in `eyJeyJ...`, OpenAI's in `sk-sk-...`
    "spaces after cl_key": lambda n: "description: cl_key" + " " * n + "x",
    "spaces after ibm_cloud_iam_key": lambda n: "ibm_cloud_iam_key" + " " * n + "!",
    "spaces around sl_key's colon": lambda n: "sl_key" + " " * n + ":" + " " * n + "!",
    "npm slashes": lambda n: "//" * n + "/:_authToken=x",
    "JWT starts": lambda n: "eyJ" * n,
    "OpenAI starts": lambda n: "sk-" * n,
}


def test_long_runs_are_scanned_in_linear_time() -> None:
    # measured in a process of its own, only for a pattern turned cubic again (where the short text alone would
    # take minutes) to fail at the hang guard rather than hold the run: the assertion is the growth
    code = ("import json\nfrom generator.core.secret_scan import find\nfrom tests.linear_time import growth\n"
            "from tests.unit.test_secrets import LONG_RUNS\n"
            "print(json.dumps({name: growth(find, text, 1000) for name, text in LONG_RUNS.items()}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600,
                          cwd=ROOT)
    growths = json.loads(done.stdout)
    assert growths.keys() == LONG_RUNS.keys()
    assert all(growth < LINEAR for growth in growths.values()), growths


@pytest.mark.parametrize(("text", "value"), [
    ("cl_key   abcdefghijklmnopqrstuvwx", "abcdefghijklmnopqrstuvwx"),  # the assignment is spaces only
    ("[cloudant-apipass] :=  'abcdefghijklmnopqrstuvwx'", "abcdefghijklmnopqrstuvwx"),
    ("a // b //registry.npmjs.org/:_authToken=npm_AbC123x", "npm_AbC123x"),
    ("x eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln rest", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0."),  # as it was
])
def test_the_rewritten_plugin_patterns_find_what_they_found(text: str, value: str) -> None:
    assert value in [found.value for found in find(text)]
