"""Middleware that serves browsers only, skipped for the REST API under /api/.

Sessions, the logged-in user, two-factor state, flash messages and the visitor's chosen
time zone belong to pages seen in a browser. An API request authenticates
with a token in a header on every call (`consulta.api.auth`, which sets `request.user` for an
organiser's token) and reads none of them, yet running them cost about a tenth of the CPU of
saving an answer through the API (bench/load.py with API clients only: Consulta's CPU per
answer 8.8 times the load clients' with the whole stack, 8.2 without these).

Each name below is a subclass of the middleware of that name: in MIDDLEWARE it sits where the
original would, runs it (with its view, template-response and exception hooks) for every other
request, and passes API requests straight on. The test client goes through the same stack, so
tests see what production serves. The CSRF check stays (it refuses a POST on a read-only API
document such as openapi.json), and so does django-axes (its check wants its own class, and
it only reads a flag after the view); so do the locale (API messages are translated), the
audit trail's client address, the security headers (frame options included: Django's
deployment check looks for that middleware by name) and the 503 handling.
"""

from django.utils.module_loading import import_string

API_PREFIX = "/api/"
HOOKS = ("process_view", "process_template_response", "process_exception")


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def browser_only(dotted_path: str) -> type:
    """The middleware class at `dotted_path`, skipped for API requests: a subclass, so that
    checks looking for the original (the admin's) still find it."""
    original = import_string(dotted_path)

    def skipped_for_api(method):
        def hook(self, request, *args, **kwargs):
            if is_api(request):
                return None
            return method(self, request, *args, **kwargs)

        return hook

    def __call__(self, request):
        if is_api(request):
            return self.get_response(request)
        return original.__call__(self, request)

    methods = {"__call__": __call__, "__doc__": f"{dotted_path}, skipped for API requests."}
    for name in HOOKS:
        if hasattr(original, name):
            methods[name] = skipped_for_api(getattr(original, name))
    return type(original.__name__, (original,), methods)


SessionMiddleware = browser_only("django.contrib.sessions.middleware.SessionMiddleware")
ViewerZoneMiddleware = browser_only("consulta.front.middleware.ViewerZoneMiddleware")
AuthenticationMiddleware = browser_only("django.contrib.auth.middleware.AuthenticationMiddleware")
OTPMiddleware = browser_only("django_otp.middleware.OTPMiddleware")
MessageMiddleware = browser_only("django.contrib.messages.middleware.MessageMiddleware")
