"""Where a `next` parameter may send someone: only to a page of this site.

Django's own check (`url_has_allowed_host_and_scheme`) accepts absolute URLs on the request's
host; here only a path is accepted, so a crafted link can never send a user who just logged in
to another site (`https://evil.example/`, `//evil.example`, `/\\evil.example`,
`javascript:…`), whatever Host header the request carried.
"""

from django.utils.http import url_has_allowed_host_and_scheme


def own_path(candidate: str | None) -> str | None:
    """`candidate` if it is a path on this site ("/en/manage/…"), else None."""
    if not candidate or not candidate.startswith("/") or candidate.startswith("//"):
        return None
    if "\\" in candidate or any(ord(char) < 32 or ord(char) == 127 for char in candidate):
        return None
    if not url_has_allowed_host_and_scheme(candidate, allowed_hosts=set()):
        return None
    return candidate


def next_path(request, fallback: str) -> str:
    """The request's `next` (POST first, then the query string) if it is our own, else
    `fallback`."""
    return own_path(request.POST.get("next") or request.GET.get("next")) or fallback
