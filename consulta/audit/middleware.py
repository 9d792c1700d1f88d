"""Where a change came from: the client address of the request being served, for the audit
trail, so that write paths need not pass the request down to `consulta.audit.actions.record`.
Outside a request (commands) there is none."""

import contextvars

client_address: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "audit_client_address", default=None
)


def remember_client_address(get_response):
    """Keep the request's REMOTE_ADDR (as the rest of Consulta reads it) while it is served."""

    def middleware(request):
        token = client_address.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return get_response(request)
        finally:
            client_address.reset(token)

    return middleware
