"""Feedback in the organiser's admin: organisers assign moderators to sessions here; answers,
respondents, pairwise choices, captured points and the moderation trail are read-only lists
(they change only through consulta.feedback.actions, so the trail stays complete)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from consulta.access.admin_scoping import ConsultationScoped
from consulta.feedback.models import (
    Answer,
    CapturedPoint,
    ModerationEntry,
    PairwiseChoice,
    Respondent,
    SessionModerator,
)


@admin.register(SessionModerator)
class SessionModeratorAdmin(ConsultationScoped, admin.ModelAdmin):
    """Who may capture which session's discussion (organisers may capture every session of
    the consultations they organise)."""

    consultation_lookups = ("session__consultation",)

    list_display = ["session", "consultation", "user"]
    list_filter = ["session__consultation", "session"]
    search_fields = ["user__username", "session__region", "session__key"]
    list_select_related = ["session__consultation", "user"]
    ordering = ["session__consultation__slug", "session__starts_at", "user__username"]

    @admin.display(description=_("consultation"), ordering="session__consultation__slug")
    def consultation(self, moderator):
        return moderator.session.consultation.slug

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        sessions = form.base_fields["session"]
        sessions.queryset = sessions.queryset.select_related("consultation")
        sessions.label_from_instance = lambda s: f"{s.consultation.slug} · {s.region} ({s.key})"
        users = form.base_fields["user"]
        users.queryset = users.queryset.filter(is_active=True).order_by("username")
        return form


class ReadOnlyAdmin(admin.ModelAdmin):
    """A list and detail pages to read; nothing is added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Respondent)
class RespondentAdmin(ConsultationScoped, ReadOnlyAdmin):
    list_display = [
        "pk",
        "consultation",
        "channel",
        "session",
        "stakeholder_group",
        "country",
        "language",
        "confirmed_at",
        "created_at",
    ]
    list_filter = [
        "consultation",
        "channel",
        "session",
        "stakeholder_group",
        ("confirmed_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["consultation", "session"]
    # Organisers (staff) see contact details; searching them stays possible for erasure.
    search_fields = ["email", "organisation", "source_key"]
    exclude = ["link_nonce"]


@admin.register(Answer)
class AnswerAdmin(ConsultationScoped, ReadOnlyAdmin):
    consultation_lookups = ("recommendation__consultation",)
    list_display = [
        "pk",
        "recommendation",
        "channel",
        "support",
        "priority",
        "short_comment",
        "is_current",
        "hidden",
        "created_at",
    ]
    list_filter = [
        "recommendation__consultation",
        "respondent__channel",
        "recommendation",
        "support",
        "priority",
        "is_current",
        ("hidden_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["recommendation", "respondent"]
    search_fields = ["comment", "proposed_text"]
    date_hierarchy = "created_at"

    @admin.display(description=_("channel"), ordering="respondent__channel")
    def channel(self, answer):
        return answer.respondent.get_channel_display()

    @admin.display(description=_("comment"))
    def short_comment(self, answer):
        return _shorten(answer.comment)

    @admin.display(description=_("hidden"), boolean=True, ordering="hidden_at")
    def hidden(self, answer):
        return answer.hidden_at is not None


@admin.register(PairwiseChoice)
class PairwiseChoiceAdmin(ConsultationScoped, ReadOnlyAdmin):
    consultation_lookups = ("respondent__consultation",)
    list_display = ["pk", "respondent", "first", "second", "chosen", "created_at"]
    list_filter = ["respondent__consultation", "respondent__channel"]
    list_select_related = ["respondent", "first", "second", "chosen"]
    date_hierarchy = "created_at"


@admin.register(CapturedPoint)
class CapturedPointAdmin(ConsultationScoped, ReadOnlyAdmin):
    consultation_lookups = ("session__consultation",)
    list_display = [
        "created_at",
        "session",
        "recommendation_code",
        "stakeholder_group",
        "country",
        "stance",
        "short_note",
        "author",
        "hidden",
    ]
    list_filter = [
        "session__consultation",
        "session",
        "stance",
        "stakeholder_group",
        ("recommendation", admin.RelatedOnlyFieldListFilter),
        ("hidden_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["session", "recommendation", "author"]
    search_fields = ["note"]
    date_hierarchy = "created_at"

    @admin.display(description=_("recommendation"), ordering="recommendation__code")
    def recommendation_code(self, point):
        return point.recommendation.code if point.recommendation_id else _("General")

    @admin.display(description=_("note"))
    def short_note(self, point):
        return _shorten(point.note)

    @admin.display(description=_("hidden"), boolean=True, ordering="hidden_at")
    def hidden(self, point):
        return point.hidden_at is not None


@admin.register(ModerationEntry)
class ModerationEntryAdmin(ConsultationScoped, ReadOnlyAdmin):
    consultation_lookups = ("answer__recommendation__consultation", "point__session__consultation")
    list_display = ["at", "action", "target", "reason", "moderator"]
    list_filter = ["action", ("moderator", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["moderator", "answer__recommendation", "point"]
    date_hierarchy = "at"

    @admin.display(description=_("item"))
    def target(self, entry):
        return entry.answer or entry.point


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else f"{text[: limit - 1]}…"
