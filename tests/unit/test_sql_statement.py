"""A business metric's SQL is one statement as a SQL tokenizer reads it; it is stored without what trails it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from generator.model import BusinessMetric, MetricType

ACCEPTED = [
    ("SELECT 1 AS value", "SELECT 1 AS value"),
    ("  SELECT 1 AS value;  \n", "SELECT 1 AS value"),
    ("SELECT 1 AS value;;", "SELECT 1 AS value"),
    ("SELECT COUNT(*) AS value FROM t WHERE note = 'a;b'", "SELECT COUNT(*) AS value FROM t WHERE note = 'a;b'"),
    ("SELECT 1 AS value WHERE 'it''s;' <> ''", "SELECT 1 AS value WHERE 'it''s;' <> ''"),
    ("SELECT 1 AS value WHERE E'c\\';d' <> ''", "SELECT 1 AS value WHERE E'c\\';d' <> ''"),
    ("SELECT 1 AS value WHERE $$a;b$$ <> $t$;'$t$", "SELECT 1 AS value WHERE $$a;b$$ <> $t$;'$t$"),
    ('SELECT 1 AS "value;total"', 'SELECT 1 AS "value;total"'),
    ("SELECT 1 AS value -- comment; with semicolon", "SELECT 1 AS value"),
    ("SELECT 1 AS value; -- done", "SELECT 1 AS value"),
    ("SELECT 1 AS value;\n/* the end; really */\n", "SELECT 1 AS value"),
    ("SELECT 1 /* one; */ AS value", "SELECT 1 /* one; */ AS value"),
    ("-- orders; all of them\nSELECT 1 AS value", "-- orders; all of them\nSELECT 1 AS value"),
    ("SELECT 1 AS value -- why\n;", "SELECT 1 AS value"),
]
REFUSED = [
    ("SELECT 1 AS value; SELECT 2", "sql must be a single statement: a second one follows a ';' ('SELECT 2')"),
    ("SELECT 1 AS value; DELETE FROM orders -- ;", "a second one follows a ';' ('DELETE FROM orders"),
    ("SELECT 'a;b' AS value;\nDROP TABLE orders;", "a second one follows a ';' ('DROP TABLE orders')"),
    ("SELECT $$;$$ AS value; SELECT 2", "a second one follows a ';' ('SELECT 2')"),
    ("-- nothing; here", "sql holds no statement, only comments or ';'"),
    (";", "sql holds no statement, only comments or ';'"),
]


def metric(sql: str) -> BusinessMetric:
    return BusinessMetric(name="q_one", type=MetricType.GAUGE, help="One.", database="shop", sql=sql)


@pytest.mark.parametrize(("sql", "stored"), ACCEPTED)
def test_one_statement_is_accepted_and_stored_without_what_trails_it(sql: str, stored: str) -> None:
    assert metric(sql).sql == stored


@pytest.mark.parametrize(("sql", "message"), REFUSED)
def test_several_statements_or_none_are_refused(sql: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        metric(sql)
    assert message in str(refused.value)
