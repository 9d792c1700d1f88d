"""django-csp's middleware with the site's policy built once, not for every response.

django-csp builds the Content-Security-Policy header afresh for each response from the settings,
the view's overrides and the request's nonce: about 60 microseconds, a twentieth of the CPU of
saving an answer through the API. No Consulta view changes the policy and no page uses a
nonce, so every response carries the settings' policy: this middleware builds that once (again
when the settings change, as tests do) and hands it out. A response a view did change
(`csp_update`, `csp_replace`, `csp_exempt`…), a request that asked for a nonce, a report-only
policy, excluded URL prefixes and DEBUG's error pages all take django-csp's own path.
"""

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings

# What django-csp's decorators set on a response.
PER_VIEW_CHANGES = tuple(
    f"_csp_{change}{suffix}"
    for change in ("config", "update", "replace", "exempt")
    for suffix in ("", "_ro")
)


class CSPMiddleware(DjangoCSPMiddleware):
    _built = (None, "")  # (the settings' policy, its header), replaced as a whole

    def site_policy(self) -> str:
        config = settings.CONTENT_SECURITY_POLICY
        built_for, header = self._built
        if config is not built_for:
            header = build_policy()
            self._built = (config, header)
        return header

    def takes_the_site_policy(self, request, response) -> bool:
        config = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        return not (
            settings.DEBUG
            or not config
            or config.get("EXCLUDE_URL_PREFIXES")
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in PER_VIEW_CHANGES)
        )

    def process_response(self, request, response):
        if not self.takes_the_site_policy(request, response):
            return super().process_response(request, response)
        if HEADER not in response:
            response[HEADER] = self.site_policy()
        # As django-csp does: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
