"""`IUrl` as the gateway builds it: what reaches the request line is escaped, hosts are checked."""

from __future__ import annotations

import pytest

from certgate.core.url import UrlInfo


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("https://h/p?q=1", "https://h/p?q=1"),
        ("https://h:8443/a%20b/%41", "https://h:8443/a%20b/%41"),
        ("https://bücher.example/a b/ü", "https://xn--bcher-kva.example/a%20b/%C3%BC"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("http://[::1]/x", "http://[::1]/x"),
    ],
)
def test_urls_are_read_as_dotnet_uri_writes_them(url: str, text: str) -> None:
    assert UrlInfo.parse(url).ToString() == text


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://a b/", "'a b' is not a host name"),
        ("http://<h>/", "'<h>' is not a host name"),
        ("http://h:99999/", "Port out of range"),
    ],
)
def test_bad_hosts_and_ports_are_refused(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        UrlInfo.parse(url)


def test_rewritten_rest_of_the_path_is_escaped() -> None:
    url = UrlInfo.parse("http://h/svc")
    url.set_rest("x\r\nHost: evil")
    assert url.target() == "/svc/x%0D%0AHost:%20evil"
    url.set_rest("/plain/path;v=1")
    assert url.target() == "/svc/plain/path;v=1"
