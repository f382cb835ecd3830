"""PDF rendering (ileanet.pdf): documents render offline, and a URL in a document can make the
server read nothing but its own static files."""

import socket

import pytest

from ileanet.pdf import StaticFilesFetcher, html_to_pdf, static_file

PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwAD"
    "hgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("PDF rendering tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_the_project_s_static_files_are_served():
    response = StaticFilesFetcher().fetch("https://ileanet.invalid/static/css/pdf.css")

    assert b"@page" in response.read()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:6379/",
        "https://tracker.example/pixel.png",
        "file:///etc/passwd",
        "https://ileanet.invalid/static/../ileanet/settings/base.py",
        "https://ileanet.invalid/static/%2e%2e/pyproject.toml",
        "https://ileanet.invalid/static/does-not-exist.css",
        "ftp://files.example/x.css",
    ],
)
def test_every_other_url_is_refused_without_a_connection(no_network, url):
    with pytest.raises(ValueError, match="static files only"):
        StaticFilesFetcher().fetch(url)

    assert static_file(url) is None


def test_a_document_renders_offline_with_its_stylesheet_and_data_images(no_network):
    html = (
        '<link rel="stylesheet" href="/static/css/pdf.css">'
        f'<img src="{PIXEL}"><img src="http://169.254.169.254/x.png"><h1>Report</h1>'
    )

    pdf = html_to_pdf(html)

    assert pdf.startswith(b"%PDF")
