"""The preview reads Grafana's dashboard addresses: /d/<uid>[/<slug>] (any slug) and ?viewPanel=<key>, its panel found
as Grafana finds it (by key panel-<id>, or the number the key starts with), inside collapsed rows too."""

from __future__ import annotations

import pytest

from generator.preview.view import Address, address, find_panel
from tests.unit.test_preview_view_served import DOCUMENT


@pytest.mark.parametrize(("target", "expected"), [
    ("/d/shop", Address("shop")),
    ("/d/shop/", Address("shop")),
    ("/d/shop/shop", Address("shop")),
    ("/d/shop/an-old-title?orgId=1&viewPanel=panel-3&from=now-1h", Address("shop", "panel-3", "now-1h")),
    ("/d/shop?var-instance=a%26b&refresh=5s&var-job=x&var-job=y&var-=z&tz=UTC&to=1700000000000",
     Address("shop", "", "", "1700000000000", (("instance", ("a&b",)), ("job", ("x", "y"))))),
    ("/d/shop?viewPanel=3", Address("shop", "3")),
    ("/d/shop?viewPanel=", Address("shop")),
    ("/d/shop%2Dx/s", Address("shop-x")),
])
def test_grafanas_dashboard_paths_name_the_dashboard_and_the_viewed_panel(target: str, expected: Address) -> None:
    assert address(target) == expected


@pytest.mark.parametrize("target", ["/", "/d/", "/d//slug", "/d/shop/slug/more", "/dashboards/shop", "d/shop",
                                    "/explore?left=x"])
def test_other_paths_name_no_dashboard(target: str) -> None:
    assert address(target) is None


@pytest.mark.parametrize(("key", "title"), [("panel-1", "Orders"), ("1", "Orders"), ("3", "Refunds"),
                                            ("panel-3", "Refunds"), ("3abc", "Refunds")])
def test_a_view_panel_key_finds_its_panel_as_grafana_does_inside_collapsed_rows_too(key: str, title: str) -> None:
    found = find_panel(DOCUMENT, key)
    assert found is not None and found["title"] == title


@pytest.mark.parametrize("key", ["panel-2", "2", "panel-9", "panel-", "orders", "panel-1x"])
def test_a_row_or_an_unknown_key_finds_no_panel(key: str) -> None:
    assert find_panel(DOCUMENT, key) is None
