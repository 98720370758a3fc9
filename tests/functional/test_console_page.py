"""The console is served by the API itself, from the build `make console` made, with a strict policy."""
import re

import pytest

from chalicelib.api.console_page import CONSOLE_DIR


@pytest.fixture
def page(client):
    response = client.http.get("/console")
    assert response.status_code == 200, response.body
    return response


def test_the_console_page_is_served_with_a_policy_that_allows_no_inline_or_foreign_script(page):
    assert page.headers["Content-Type"].startswith("text/html")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "connect-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["Cache-Control"] == "no-cache"
    html = page.body.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script would break the policy"
    assert "//" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', html).__iter__()).replace("data:,", "")


def test_every_asset_the_page_names_is_served_with_its_type_and_cached(client, page):
    names = re.findall(r'/console/assets/([^"]+)"', page.body.decode())
    assert any(n.endswith(".js") for n in names) and any(n.endswith(".css") for n in names)
    for name in names:
        response = client.http.get(f"/console/assets/{name}")
        assert response.status_code == 200, name
        expected = "text/javascript" if name.endswith(".js") else "text/css"
        assert response.headers["Content-Type"].startswith(expected)
        assert "immutable" in response.headers["Cache-Control"]
        assert response.body == (CONSOLE_DIR / "assets" / name).read_bytes()


def test_an_unknown_asset_is_a_404_in_the_project_shape(client):
    response = client.http.get("/console/assets/nothing-here.js")
    assert response.status_code == 404
    assert response.json_body["error"]["code"] == "asset_not_found"


def test_a_server_without_the_build_says_so_instead_of_failing(client, monkeypatch):
    from chalicelib.api import console_page

    monkeypatch.setattr(console_page, "INDEX_HTML", None)
    response = client.http.get("/console")
    assert response.status_code == 404
    assert response.json_body["error"]["code"] == "console_not_built"


def test_the_first_load_stays_within_250_kb_of_compressed_script_and_style():
    from bench.bench_console_size import BUDGET_BYTES, first_load

    sizes = first_load(CONSOLE_DIR)
    assert {name.rsplit(".", 1)[1] for name, _, _ in sizes} == {"js", "css"}
    assert sum(packed for _, _, packed in sizes) <= BUDGET_BYTES, sizes
