import http.client

import pytest

from fixtures.server import FixtureServer


@pytest.fixture
def server(tmp_path):
    site = tmp_path / "sites" / "news.test"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text("<h1>home</h1>")
    (site / "a" / "index.html").write_text("<h1>a</h1>")
    (site / "feed.xml").write_text("<rss/>")
    (tmp_path / "secret.txt").write_text("secret")
    overlay = tmp_path / "overlay" / "news.test"
    overlay.mkdir(parents=True)
    (overlay / "feed.xml").write_text("<rss>new</rss>")
    with FixtureServer(tmp_path / "sites", overlays=[tmp_path / "overlay"]) as running:
        yield running


def get(server, url, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", url, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def test_serves_absolute_uri_by_host(server):
    response, body = get(server, "http://news.test/a/")
    assert response.status == 200
    assert body == b"<h1>a</h1>"
    assert response.getheader("Content-Type").startswith("text/html")


def test_host_header_and_overlay(server):
    response, body = get(server, "/feed.xml", {"Host": "news.test"})
    assert body == b"<rss>new</rss>"
    assert "xml" in response.getheader("Content-Type")


def test_conditional_requests(server):
    response, _ = get(server, "http://news.test/")
    etag = response.getheader("ETag")
    again, body = get(server, "http://news.test/", {"If-None-Match": etag})
    assert again.status == 304
    assert body == b""


@pytest.mark.parametrize(
    "url",
    ["http://news.test/../secret.txt", "http://news.test/%2e%2e/secret.txt", "http://other.test/"],
)
def test_never_leaves_site_root(server, url):
    response, _ = get(server, url)
    assert response.status == 404


def test_records_requests(server):
    get(server, "http://news.test/a/?utm_source=x")
    assert "GET http://news.test/a/" in server.requests
