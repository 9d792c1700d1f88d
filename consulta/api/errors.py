"""Every API error has one shape, whatever raised it:

    {"error": {"code": "not_found", "message": "…", "fields": {"support": ["…"]}}}

`code` is stable and meant for programs; `message` is for people (in the request's language);
`fields` names each invalid field (empty when the error is not about a field).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
    503: "unavailable",
}


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    error: ErrorDetail


class ApiError(Exception):
    """Raised by endpoints to answer with `status` and the error shape."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": str(message), "fields": fields or {}}}
    return JsonResponse(body, status=status)


def _field_name(location) -> str:
    """'body.payload.support' → 'support'; 'query.page' → 'page'; header names stay."""
    parts = [str(part) for part in location]
    while parts and parts[0] in ("body", "query", "path", "header", "form", "file", "payload"):
        parts.pop(0)
    return ".".join(parts) or "request"


def validation_fields(errors) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(str(error.get("msg", "")))
    return fields


def install(api) -> None:
    """Route every exception an endpoint can raise to the one error shape."""

    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.fields)

    @api.exception_handler(ValidationError)
    def invalid(request, exc: ValidationError):
        return error_response(
            422, "invalid", _("Some fields are not valid."), validation_fields(exc.errors)
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return error_response(
            401, "unauthenticated", _("A valid token is required for this request.")
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return error_response(403, "forbidden", _("This token may not do this."))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error_response(404, "not_found", _("Not found."))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        status = exc.status_code
        return error_response(status, STATUS_CODES.get(status, "error"), str(exc))
