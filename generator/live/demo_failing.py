"""Which label values name a failure: the failing part of a count (`reason="CrashLoopBackOff"` of all restarts,
`status_code="STATUS_CODE_ERROR"` of all spans), which the demo draws at a small share (demo_bounds._rule_shares)
rather than as much as the rest. Read where a word or a CamelCase part starts, never inside a word:
queue="default" holds "fault" and is no failure."""

from __future__ import annotations

import re

FAILURE_WORDS = ("err", "fail", "fault", "timeout", "timed.?out", "refused", "reject", "crash", "back.?off",
                 "oom.?kill", "killed", "evicted", "panic", "abort", "denied", "unavailab", "unhealthy", "unreachab",
                 "exceeded", "exhausted", "invalid(?!at)", "dropped")
"""Words that name a failure where a word starts with them: kube-state-metrics' reasons (CrashLoopBackOff,
ImagePullBackOff, OOMKilled, Evicted), gRPC's codes (DeadlineExceeded, Unavailable, ResourceExhausted,
PermissionDenied, Aborted), panic, invalid_request, dropped; not "invalidate" (a cache's)."""
CAMEL_FAILURE_WORDS = ("Err", "Fail", "Fault", "Timeout", "Timed", "Refused", "Reject", "Crash", "BackOff",
                       "Killed", "Evicted", "Panic", "Abort", "Denied", "Unavailab", "Unhealthy", "Unreachab",
                       "Exceeded", "Exhausted", "Invalid(?!at)", "Dropped")
"""The words as a CamelCase part starts them (ServerError, ImagePullBackOff, OOMKilled, DeadlineExceeded)."""
FAILING = re.compile(rf"(?<![A-Za-z])(?i:{'|'.join(FAILURE_WORDS)})|{'|'.join(CAMEL_FAILURE_WORDS)}"
                     r"|(?<!\d)5(?:\.\.|\d\d|xx|\\d|\[0-9\]|\.[+*])(?!\d)")
"""A label value (or regex) naming a failing part of a count: STATUS_CODE_ERROR, failed, ServerError, 5.., 5\\d\\d,
503; a word starting a word or a CamelCase part, so queue="default", "terraform", op="download" and a code 1500 are
not failures. Not "false" (host_network="false"; a node condition's status="false" fails only for Ready)."""
