"""Who is calling: a participant through their personal token, or an organiser through an API
token. Both are refused alike (401) when unknown, altered or revoked."""

from ninja.security import APIKeyHeader, HttpBearer

from consulta.api import tokens
from consulta.registrations.links import registration_and_recommendation, registration_for_token


class PersonalToken(APIKeyHeader):
    """The token of the participant's personal link (the last part of /r/<token>/), sent in
    the X-Personal-Token header. `request.auth` is their registration."""

    param_name = "X-Personal-Token"

    def __init__(self, *, with_recommendation: bool = False):
        """`with_recommendation`: also read the live recommendation named by the path's
        `code` (`request.recommendation`, None when there is none) in the same query, for the
        route that saves answers, the busiest of all."""
        super().__init__()
        self.with_recommendation = with_recommendation

    def authenticate(self, request, key):
        if not key:
            return None
        if self.with_recommendation:
            code = request.resolver_match.kwargs["code"]
            registration, request.recommendation = registration_and_recommendation(key, code)
            return registration
        return registration_for_token(key)


class OrganiserToken(HttpBearer):
    """An API token created in the organiser pages, sent as `Authorization: Bearer cst_…`.
    The request then acts as the token's user: `request.user` is set, `request.auth` is the
    token, and every consultation is checked by the permission module as for the pages."""

    def authenticate(self, request, token):
        api_token = tokens.token_for_secret(token)
        if api_token is None:
            return None
        api_token.mark_used()
        request.user = api_token.user
        return api_token
