"""The API's browsable documentation works in a real browser under Consulta's strict
Content-Security-Policy, with every file served by Consulta itself."""

from urllib.parse import urlsplit

from playwright.sync_api import expect


def test_the_api_docs_list_the_operations_and_load_nothing_from_elsewhere(site, new_page):
    page = new_page()
    requested, refused = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    response = page.goto(f"{site.url}/api/v1/docs")
    assert response is not None and response.ok
    expect(page.get_by_text("Consulta API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/me/answers/{code}").first).to_be_visible()
    expect(page.get_by_text("Idempotency-Key").first).to_be_attached()
    here = urlsplit(site.url).netloc
    assert all(urlsplit(url).netloc in (here, "") for url in requested if "://" in url), requested
    assert not refused, refused
