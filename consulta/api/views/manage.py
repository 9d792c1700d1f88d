"""The organiser's API tokens: create one (shown once), see when each was last used, revoke.

Each organiser sees and revokes only their own tokens; administrators revoke anyone's in the
Django admin. A token acts for its owner, so it reaches what its owner may manage.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from consulta.api import tokens
from consulta.api.models import ApiToken, Scope
from consulta.permissions import organiser_required


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “Regional dashboard”."),
        error_messages={"required": gettext_lazy("Give the token a name.")},
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Access"), choices=Scope.choices, initial=Scope.READ
    )


@never_cache
@organiser_required
def token_list(request):
    """The list and the form; after creating, the new token once, never again."""
    created_secret = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            _token, created_secret = tokens.issue_token(
                request.user, form.cleaned_data["name"], form.cleaned_data["scope"]
            )
            form = TokenForm()
    else:
        form = TokenForm()
    return render(
        request,
        "api/manage/tokens.html",
        {
            "form": form,
            "tokens": ApiToken.objects.filter(user=request.user),
            "created_secret": created_secret,
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


@require_POST
@organiser_required
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.revoke_token(token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("manage-api-tokens")
