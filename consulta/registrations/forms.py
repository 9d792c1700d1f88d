from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from consulta.lib.countries import country_choices
from consulta.registrations.models import Attribution, StakeholderGroup

LANGUAGE_NAMES = dict(settings.LANGUAGES)


class ContributorForm(forms.Form):
    """What every contributor tells about themselves, whether registering for a session or
    sending a written submission: group, country, how they may be quoted, consent, and the
    field that robots fill in."""

    stakeholder_group = forms.ChoiceField(
        label=_("Stakeholder group"), choices=[("", "—"), *StakeholderGroup.choices]
    )
    country = forms.ChoiceField(label=_("Country"))
    attribution = forms.ChoiceField(
        label=_("How may your contributions be reported?"),
        choices=Attribution.choices,
        initial=Attribution.CHATHAM_HOUSE,
        widget=forms.RadioSelect,
    )
    consent = forms.BooleanField(label=_("I agree to the privacy notice"))
    # Left empty by people; bots that fill every field give themselves away.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *country_choices(get_language() or "en")]
        self.fields["consent"].help_text = format_html(
            '<a href="{}">{}</a>', reverse("privacy"), _("Read the privacy notice")
        )

    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class RegistrationForm(ContributorForm):
    """Registration for one session; the language list is the session's own."""

    field_order = [
        "given_name",
        "family_name",
        "email",
        "organisation",
        "stakeholder_group",
        "country",
        "language",
        "needs",
        "attribution",
        "consent",
        "website",
    ]

    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    language = forms.ChoiceField(label=_("Preferred language"))
    needs = forms.CharField(
        label=_("Interpretation or accessibility needs"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. For example: sign language, captions, a screen reader."),
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language() or "en"
        self.fields["language"].choices = [
            (code, LANGUAGE_NAMES[code]) for code in session.languages
        ]
        if language in session.languages:
            self.fields["language"].initial = language
        for name in ("given_name", "family_name"):
            self.fields[name].widget.attrs["autocomplete"] = (
                "given-name" if name == "given_name" else "family-name"
            )
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
