import sys

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import server_error as django_server_error

from consulta.serving.unavailable import (
    RETRY_AFTER_SECONDS,
    is_database_unavailable,
    unavailable_response,
)


@never_cache
def healthz(request):
    """200 when this app server can query its database, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        response = JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok", "database": "ok"})


def bad_request(request, exception, *args, **kwargs):
    """handler400: a session that could not be saved because the database went away is a 503
    (the answer before it may be stored: sending it again with its key is safe)."""
    if is_database_unavailable(exception):
        return unavailable_response(request)
    return django_bad_request(request, exception, *args, **kwargs)


def server_error(request, *args, **kwargs):
    """handler500: the database being out of reach is a 503; anything else is Django's 500."""
    if is_database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    return django_server_error(request, *args, **kwargs)
