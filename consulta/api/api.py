"""The API object: version 1 under /api/v1/, its OpenAPI description at
/api/v1/openapi.json and browsable documentation at /api/v1/docs (served by Consulta itself,
no CDN)."""

from django.db import InterfaceError, OperationalError
from ninja import NinjaAPI
from ninja.parser import Parser

from consulta.api import errors, organiser, participant, public
from consulta.serving.unavailable import unavailable_response

DESCRIPTION = """Consulta's REST API.

* **Public** endpoints need no token and show what the public pages show.
* **Participant** endpoints take the token of the participant's personal link in the
  `X-Personal-Token` header. Saving an answer needs an `Idempotency-Key` header: a retried
  request with the same key is stored once.
* **Organiser** endpoints take an API token (`Authorization: Bearer cst_…`) created in the
  organiser pages, read-only or read-write.

Errors always have the shape `{"error": {"code", "message", "fields"}}`. Lists are paged with
`?page=` and `?page_size=` (at most 200) and say how many items and pages there are.
"""


class ObjectBodies(Parser):
    """Every request body of this API is a JSON object: anything else (a list, a number) is
    refused as unreadable (400) instead of being taken as an empty answer."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the request body is not a JSON object")
        return data


api = NinjaAPI(
    parser=ObjectBodies(),
    title="Consulta API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", public.router)
api.add_router("", participant.router)
api.add_router("", organiser.router)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request, exc):
    """The database is down or unreachable: 503 in the error shape with Retry-After, as every
    page answers then (consulta.serving), never a traceback."""
    return unavailable_response(request)
