from __future__ import annotations

import pytest

from certgate.core.routing import Router
from certgate.errors import ConfigError


def router() -> Router[str]:
    return Router([("orders", "orders"), ("orders/v2", "v2"), ("", "root"), ("/Shop/", "shop")])


@pytest.mark.parametrize(
    ("path", "target", "remainder"),
    [
        ("/orders", "orders", ""),
        ("/orders/", "orders", "/"),
        ("/orders/1", "orders", "/1"),
        ("/orders/v2/1", "v2", "/1"),
        ("/ORDERS/V2", "v2", ""),
        ("/shop/cart", "shop", "/cart"),
        ("/ordersx", "root", "/ordersx"),
        ("/", "root", "/"),
    ],
)
def test_longest_whole_segment_prefix(path: str, target: str, remainder: str) -> None:
    match = router().match(path)
    assert match is not None
    assert (match.target, match.remainder) == (target, remainder)


def test_no_match_without_root_api() -> None:
    r = Router([("orders", "o")])
    assert r.match("/ordersx") is None
    assert r.match("/") is None
    assert r.match("/orders//x") is not None


def test_duplicate_paths_are_refused() -> None:
    with pytest.raises(ConfigError, match="share the path"):
        Router([("a/b", 1), ("/A/B/", 2)])


def test_many_apis_route_by_lookup() -> None:
    r = Router((f"api{i}/v1", i) for i in range(1000))
    match = r.match("/api777/v1/x")
    assert match is not None and match.target == 777
