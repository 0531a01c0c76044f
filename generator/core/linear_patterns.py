"""Linear-time rewrites of the detect-secrets plugin patterns that backtrack superlinearly, each finding what the
original finds (the same matches, groups and order under findall).

- The assignment of build_assignment_regex (Cloudant, IBM Cloud IAM, IBM COS HMAC, Softlayer) is
  ` *(?:=|:|:=|=>| +|::) *`: a run of n spaces splits into those three parts about n^2 ways, at every start, so
  2000 spaces after `cl_key` took more than 10 minutes. What follows it (an optional quote, then the secret) never
  starts with a space, so every match takes the whole run: the spaces are possessive, the alternatives the same.
- npm's `//.+/:_authToken=` started at every `//` of a line and ran to its end: quadratic in the `//` of a line.
  A later `//` on a line can match only where the line's first one does (the same `/:_authToken=` after it), and a
  match runs to the end of its line; so only the line's first `//` is tried.
- The JWT pattern started at every `eyJ` of a run of token characters and ran to the run's end: quadratic in
  `eyJeyJ...`. A later `eyJ` in a run finds the same `.` after the same run, so only the run's first is tried.
- OpenAI's `sk-[A-Za-z0-9-_]*...` started at every `sk-` of a run of key characters and ran to its end (20k
  characters of `sk-` took 1.7 s, 40k 7.3 s): a later `sk-` in a run can only find a key the run's first finds,
  and the first takes the run's last one, so only the run's first is tried.
"""

from __future__ import annotations

import re

ASSIGNMENT = r"(?: *)(?:=|:|:=|=>| +|::)(?: *)"
LINEAR_ASSIGNMENT = r"(?: *+(?:=|:|:=|=>|::) *+| ++)"
NPM = r"\/\/.+\/:_authToken=\s*((npm_.+)|([A-Fa-f0-9-]{36})).*"
JWT = r"eyJ[A-Za-z0-9-_=]+\.[A-Za-z0-9-_=]+\.?[A-Za-z0-9-_.+/=]*?"
OPENAI = r"sk-[A-Za-z0-9-_]*[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}"
REWRITTEN = {
    NPM: r"(?m)^(?:[^\n/]|/(?!/))*+\/\/.+\/:_authToken=\s*((npm_.+)|([A-Fa-f0-9-]{36})).*",
    JWT: r"(?<![A-Za-z0-9-_=])(?>[A-Za-z0-9-_=]*?(?=eyJ))(eyJ[A-Za-z0-9-_=]++\.[A-Za-z0-9-_=]++\.?)",
    OPENAI: r"(?<![A-Za-z0-9-_])(?>[A-Za-z0-9-_]*?(?=sk-))(sk-[A-Za-z0-9-_]*[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})",
}
"""Whole patterns rewritten (the JWT's trailing lazy `*?` always matches empty, so it is left out)."""


def linear(regex: re.Pattern[str]) -> re.Pattern[str]:
    """regex, or its linear-time rewrite when it is one of the superlinear patterns above."""
    pattern = REWRITTEN.get(regex.pattern, regex.pattern.replace(ASSIGNMENT, LINEAR_ASSIGNMENT))
    return regex if pattern == regex.pattern else re.compile(pattern, regex.flags)
