"""What a served preview page draws, read back as its script reads it (page.html.j2's preview-spec element)."""

from __future__ import annotations

import json
import re
from typing import Any

SPEC = re.compile(r'<script id="preview-spec" type="application/json">(.*?)</script>', re.DOTALL)


def page_spec(page: str) -> dict[str, Any]:
    """The page's dashboard JSON, panels and data, as preview.js parses them."""
    found = SPEC.search(page)
    assert found, page[:500]
    return dict(json.loads(found.group(1)))
