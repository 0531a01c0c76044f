"""A business metric's SQL read as one statement by a SQL tokenizer, not by looking for ';'.

sqlparse splits statements where PostgreSQL and SQLite would: a ';' inside a string ('a;b', E'a\\';b'), a
dollar-quoted string ($$a;b$$, $tag$a;b$tag$), a quoted name ("a;b") or a comment (-- a;b, /* a;b */) ends
nothing. The statement is stored without what trails it (';', comments, blanks), so the exporter can wrap it in
a subquery (sql.bounded) and the generated configuration holds the SQL as it runs.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlparse.sql import Token


def _trailing(token: "Token") -> bool:
    """What may follow a statement without being part of it: blanks, comments and ';'."""
    from sqlparse.tokens import Comment, Punctuation

    return bool(token.is_whitespace or token.ttype in Comment or (token.ttype in Punctuation and token.value == ";"))


def single_statement(sql: str) -> str:
    """`sql`'s one statement without its trailing ';', comments and blanks; ValueError if it holds none or several.
    sqlparse is imported here, by a project with business metrics only (10 ms of every other build's start)."""
    import sqlparse

    statements = []
    for parsed in sqlparse.parse(sql):
        tokens = list(parsed.flatten())  # type: ignore[no-untyped-call]  # sqlparse annotates only part of its API
        while tokens and _trailing(tokens[-1]):
            tokens.pop()
        if tokens:  # a statement of comments and ';' only ("SELECT 1; /* done */") is no second statement
            statements.append("".join(token.value for token in tokens).strip())
    if not statements:
        raise ValueError("sql holds no statement, only comments or ';'")
    if len(statements) > 1:
        second = " ".join(statements[1].split())
        raise ValueError(f"sql must be a single statement: a second one follows a ';' ({second[:60]!r}); a ';' "
                         "inside a quoted string, a quoted name or a comment is fine")
    return statements[0]
