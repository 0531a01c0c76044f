"""What `obsgen up --time-scale N` cannot keep (nor `build` and `latency`, at the intervals they compile with): above
some N an SLO's absent page may fire after the TargetDown it mutes, and the demo tells a dead service twice
(derive/slo/page_order.py).

Compression keeps the order of `for`s (derive/time_compression.held) but shrinks the gap between them with N, while
the scrape and the evaluation the page waits for run every second whatever N is: at 60x TargetDown's 25 s follows
the page's 21 s by 4 s; at 120x the 2 s left are a scrape and an evaluation exactly. A faster demo is still a
demo, so each command warns rather than refuses: the time scale asked, and the largest that keeps every page first.
"""

from __future__ import annotations

from generator.derive.slo.page_order import largest_paired_scale, out_of_order
from generator.derive.time_compression import apply
from generator.model.profile import Profile
from generator.model.project import Project


def pairing_warning(definitions: Project, time_scale: float, scrape_interval: str = "") -> str:
    """One line when the compressed build at this time scale (scrape and evaluation at scrape_interval, or at the
    definitions' own intervals when '') lets a page fire after the TargetDown it mutes; '' when every page comes
    first (or when the definitions' own time does not keep them first either: `obsgen check`'s SM009 says so)."""
    profile = Profile(time_scale=1 / time_scale, scrape_interval=scrape_interval)
    compressed = apply(definitions, profile)
    late = out_of_order(compressed)
    largest = largest_paired_scale(definitions, profile, compressed) if late else 0
    if not largest:
        return ""
    order, stack = late[0], compressed.stack
    waits = (f"a scrape and an evaluation at {stack.scrape_interval}"
             if stack.scrape_interval == stack.evaluation_interval
             else f"a scrape at {stack.scrape_interval} and an evaluation at {stack.evaluation_interval}")
    return (f"--time-scale {time_scale:g}: {order.page.name} is sure to fire only {order.page_told:g} s after its "
            f"jobs die ({order.page.for_} `for` + {waits}), not before TargetDown fires at "
            f"{order.target_down_told:g} s, which it mutes, so a dead service may be told twice; {largest}x is the "
            "largest time scale that keeps every SLO's absent page first")
