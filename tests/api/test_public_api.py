"""The public, read-only API: what the public pages show, as JSON."""

import itertools

from consulta.consultations.models import Consultation


def test_the_consultations_list_pages_and_leaves_drafts_out(client, demo):
    Consultation.objects.create(slug="secret-draft", title="Not yet", status="draft")
    body = client.get("/api/v1/consultations").json()
    assert [item["slug"] for item in body["items"]] == ["missing-migrants-2024"]
    assert body["count"] == 1 and body["page"] == 1 and body["pages"] == 1
    assert client.get("/api/v1/consultations/secret-draft").status_code == 404


def test_a_consultation_has_its_organiser_zone_and_dates(client, demo):
    body = client.get("/api/v1/consultations/missing-migrants-2024").json()
    assert body["title"] == demo.title
    assert body["timezone"] == demo.timezone
    assert body["opens_on"] == demo.opens_on.isoformat()


def test_sessions_come_in_utc_and_in_the_organisers_zone(client, demo):
    body = client.get("/api/v1/consultations/missing-migrants-2024/sessions").json()
    asia = next(s for s in body["items"] if s["key"] == "asia-pacific")
    # The information note: 1 February 2024, 15:00 Bangkok = 08:00 UTC.
    assert asia["starts_utc"].startswith("2024-02-01T08:00:00")
    assert asia["starts_utc"].endswith("Z")
    assert asia["starts_local"].endswith(("+07:00", "+01:00"))
    assert [s["starts_utc"] for s in body["items"]] == sorted(
        s["starts_utc"] for s in body["items"]
    )


def test_the_programme_has_clock_times_computed_from_the_start(client, demo):
    items = client.get(
        "/api/v1/consultations/missing-migrants-2024/sessions/africa/programme"
    ).json()["items"]
    assert items, "the demo's sessions have a programme"
    for before, after in itertools.pairwise(items):
        assert before["ends_utc"] == after["starts_utc"]
    session = demo.sessions.get(key="africa")
    assert items[0]["starts_utc"].startswith(session.starts_at.strftime("%Y-%m-%dT%H:%M"))


def test_recommendations_fall_back_to_english_and_say_so(client, demo):
    body = client.get(
        "/api/v1/consultations/missing-migrants-2024/recommendations?lang=ar&page_size=3"
    ).json()
    assert body["count"] == demo.recommendations.count()
    assert len(body["items"]) == 3 and body["pages"] == -(-body["count"] // 3)
    first = body["items"][0]
    expected_language = "ar" if demo.recommendations.get(code=first["code"]).title_ar else "en"
    assert first["language"] == expected_language


def test_a_recommendation_lists_its_versions(client, demo, organiser):
    from consulta.consultations.actions import revise_recommendation

    recommendation = demo.recommendations.get(code="MM-1")
    revise_recommendation(
        recommendation,
        {"en": {"title": "Count every missing migrant", "text": "A revised text."}},
        by=organiser,
        rationale="Regional feedback",
    )
    body = client.get("/api/v1/consultations/missing-migrants-2024/recommendations/MM-1").json()
    assert body["title"] == "Count every missing migrant"
    assert [v["number"] for v in body["versions"]] == [1, 2]
    assert body["version"] == 2
    assert body["versions"][1]["rationale"] == "Regional feedback"
    assert body["versions"][0]["texts"]["en"]["title"] != "Count every missing migrant"


def test_synthesis_figures_are_public_only_once_the_report_is_published(client, demo):
    url = "/api/v1/consultations/missing-migrants-2024/synthesis"
    assert client.get(url).status_code == 404
    Consultation.objects.filter(pk=demo.pk).update(status="reported")
    body = client.get(url).json()
    assert {r["code"] for r in body["recommendations"]} == set(
        demo.recommendations.values_list("code", flat=True)
    )
    assert "quotes" not in str(body) and "@" not in str(body)


def test_errors_have_one_shape_and_the_right_status(client, demo):
    missing = client.get("/api/v1/consultations/nowhere")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}
    bad_page = client.get("/api/v1/consultations?page=0")
    assert bad_page.status_code == 422
    assert bad_page.json()["error"]["code"] == "invalid"
    assert "page" in bad_page.json()["error"]["fields"]
    bad_language = client.get("/api/v1/consultations/missing-migrants-2024/recommendations?lang=xx")
    assert bad_language.status_code == 422
    assert list(bad_language.json()["error"]["fields"]) == ["lang"]


def test_a_page_beyond_the_last_is_empty_not_an_error(client, demo):
    body = client.get("/api/v1/consultations?page=99").json()
    assert body["items"] == [] and body["count"] == 1


def test_the_description_lists_every_route_and_the_docs_load_nothing_from_elsewhere(client):
    from django.urls import get_resolver

    description = client.get("/api/v1/openapi.json").json()
    documented = {
        (method.upper(), path)
        for path, operations in description["paths"].items()
        for method in operations
    }
    from consulta.api.api import api

    routed = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            full = "/api/v1/" + "/".join(part for part in (prefix, path) if part).lstrip("/")
            for operation in path_view.operations:
                for method in operation.methods:
                    routed.add((method, full.replace("//", "/")))
    assert documented == routed
    assert get_resolver().resolve("/api/v1/openapi.json")
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
