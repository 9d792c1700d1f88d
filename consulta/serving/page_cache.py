"""Public pages kept a few seconds in each worker's memory for visitors without a session.

The consultation page takes tens of milliseconds to build (its time-zone list alone has every
IANA zone), and on launch day thousands of people open it within minutes. Anonymous visitors
all get the same page for a given address, language (in the address) and chosen time zone
(cookie), so each worker builds it once per `PUBLIC_PAGE_CACHE_SECONDS` (default 5) and
serves copies in between: an organiser's change shows within those seconds.

Only safe copies are kept: GET of the listed public pages, answered 200, by a request that
carried no session or message cookie, with no cookie set and no CSRF token used, and not
marked private or no-store. Everything else goes through untouched.
"""

import threading
import time

from django.conf import settings
from django.http import HttpResponse

CACHED_PAGES = {"home", "consultation", "session", "privacy"}
# Cookies that do not change these pages for an anonymous visitor (the zone is in the key).
NEUTRAL_COOKIES = {"csrftoken", "consulta_tz", "django_language"}
MAX_BYTES = 32 * 1024 * 1024  # per worker; emptied when full


class PublicPageCache:
    def __init__(self, get_response):
        self.get_response = get_response
        self.pages: dict[tuple, tuple[float, int, list, bytes]] = {}
        self.size = 0
        self.lock = threading.Lock()

    def __call__(self, request):
        seconds = getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 0)
        if not seconds or request.method != "GET" or request.META.get("QUERY_STRING"):
            return self.get_response(request)
        if any(name not in NEUTRAL_COOKIES for name in request.COOKIES):
            return self.get_response(request)
        key = (request.path, request.COOKIES.get(settings.VIEWER_ZONE_COOKIE, ""))
        kept = self.pages.get(key)
        if kept is not None and kept[0] > time.monotonic():
            _, status, headers, content = kept
            return HttpResponse(content, status=status, headers=headers)
        response = self.get_response(request)
        if self.can_keep(request, response):
            self.keep(key, time.monotonic() + seconds, response)
        return response

    @staticmethod
    def can_keep(request, response) -> bool:
        match = getattr(request, "resolver_match", None)
        control = response.get("Cache-Control", "")
        return (
            match is not None
            and match.url_name in CACHED_PAGES
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and "private" not in control
            and "no-store" not in control
        )

    def keep(self, key, expires: float, response) -> None:
        content = response.content
        with self.lock:
            if self.size + len(content) > MAX_BYTES:
                self.pages.clear()
                self.size = 0
            previous = self.pages.get(key)
            if previous is not None:
                self.size -= len(previous[3])
            self.pages[key] = (expires, response.status_code, list(response.items()), content)
            self.size += len(content)
