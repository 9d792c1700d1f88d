from django.conf import settings

from consulta.lib.schedule import time_zone_problem


class ViewerZoneMiddleware:
    """Sets `request.viewer_zone`: the zone the visitor chose (?tz=… or the cookie), else None.

    None means "not chosen": pages then show UTC beside the organiser's time, and a small
    script (served by Consulta, optional) proposes the browser's zone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        asked = request.GET.get("tz", "").strip()
        chosen = asked or request.COOKIES.get(settings.VIEWER_ZONE_COOKIE, "")
        request.viewer_zone = chosen if chosen and not time_zone_problem(chosen) else None
        request.viewer_zone_refused = asked if asked and request.viewer_zone != asked else ""
        response = self.get_response(request)
        if asked and request.viewer_zone == asked:
            response.set_cookie(
                settings.VIEWER_ZONE_COOKIE,
                asked,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
