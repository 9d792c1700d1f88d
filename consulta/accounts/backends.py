"""The lock-out backend, first in AUTHENTICATION_BACKENDS (see settings.py, "Accounts")."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lock-out for every login made through a web request.

    Axes refuses an `authenticate()` without a request; a management command or a test that
    checks a password has no client to lock out, so it is let through to the next backend
    instead. Every login form passes its request (Django's AuthenticationForm does), so every
    login form is covered.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
