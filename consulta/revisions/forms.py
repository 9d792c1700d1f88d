"""The revision form (title and text per language, rationale, the feedback items to link) and
the form to keep a text with a reason."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from consulta.feedback.models import Answer, CapturedPoint
from consulta.lib.languages import SUPPORTED_LANGUAGES

LANGUAGE_NAMES = dict(settings.LANGUAGES)


class IdsField(forms.Field):
    """Checked feedback items, sent as their ids; the template draws the checkboxes."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        try:
            return sorted({int(v) for v in value})
        except (TypeError, ValueError):
            raise ValidationError(_("Choose feedback items from the list.")) from None


class RevisionForm(forms.Form):
    rationale = forms.CharField(
        label=_("Why does the text change?"),
        help_text=_(
            "Required. Shown with the new version and in the report's “what changed” table."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Explain why the text changes: the rationale is required.")},
    )
    answers = IdsField(required=False)
    points = IdsField(required=False)
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, recommendation, **kwargs):
        if "initial" not in kwargs:
            current = recommendation.current_version()
            kwargs["initial"] = {
                f"{kind}_{lang}": entry[kind]
                for lang, entry in recommendation.texts().items()
                for kind in ("title", "text")
            } | {"based_on": current.number if current else None}
        super().__init__(*args, **kwargs)
        self.recommendation = recommendation
        for lang in SUPPORTED_LANGUAGES:
            required = lang == "en"
            name = LANGUAGE_NAMES.get(lang, lang)
            direction = {"lang": lang, "dir": "auto"}
            self.fields[f"title_{lang}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name},
                max_length=300,
                required=required,
                widget=forms.TextInput(attrs=direction),
                error_messages={
                    "required": _("The English title is required."),
                    "max_length": _("Keep the title in %(language)s to 300 characters or fewer.")
                    % {"language": name},
                },
            )
            self.fields[f"text_{lang}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": name},
                required=required,
                widget=forms.Textarea(attrs={"rows": 6, **direction}),
                error_messages={"required": _("The English text is required.")},
            )

    def language_fields(self):
        """[(language code, its name, title field, text field)] in the supported order."""
        return [
            (lang, LANGUAGE_NAMES.get(lang, lang), self[f"title_{lang}"], self[f"text_{lang}"])
            for lang in SUPPORTED_LANGUAGES
        ]

    def texts(self) -> dict[str, dict[str, str]]:
        data = self.cleaned_data
        return {
            lang: {"title": data.get(f"title_{lang}", ""), "text": data.get(f"text_{lang}", "")}
            for lang in SUPPORTED_LANGUAGES
        }

    def clean_answers(self):
        ids = self.cleaned_data["answers"]
        found = list(Answer.objects.filter(pk__in=ids))
        missing = sorted(set(ids) - {a.pk for a in found})
        if missing:
            raise ValidationError(
                _("Answer %(number)d no longer exists: reload the page.") % {"number": missing[0]}
            )
        return found

    def clean_points(self):
        ids = self.cleaned_data["points"]
        found = list(CapturedPoint.objects.filter(pk__in=ids))
        missing = sorted(set(ids) - {p.pk for p in found})
        if missing:
            raise ValidationError(
                _("Captured point %(number)d no longer exists: reload the page.")
                % {"number": missing[0]}
            )
        return found


class KeepForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the text stay as it is?"),
        help_text=_("Required. Shown in the report's “what changed” table."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Explain why the text stays as it is: the reason is required.")
        },
    )
