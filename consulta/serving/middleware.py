from consulta.serving.unavailable import is_database_unavailable, unavailable_response


class DatabaseUnavailableMiddleware:
    """A view that fails because the database is out of reach answers 503, not 500.

    Failures outside views (a middleware saving the session) reach `views.server_error`,
    which makes the same decision.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            return unavailable_response(request)
        return None
