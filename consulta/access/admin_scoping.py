"""The Django admin shows an organiser only the consultations they organise.

`ConsultationScoped` goes first in the bases of every consultation-scoped ModelAdmin and
narrows, for anyone but a platform administrator:

- the list and every object page (others' objects are "not found", as in the organiser pages);
- the permission checks with an object, so no action reaches another consultation's object;
- the choices of consultation, session, pillar and recommendation in forms, so nothing can be
  moved into another consultation;
- the related list filters, which otherwise name every consultation, drafts included.

`consultation_lookups` says how to get from the model to its consultation ("" for the
consultation itself); several lookups are alternatives (a moderation entry is about an answer or
a point). Which models an organiser may open at all is `ORGANISER_ADMIN_PERMISSIONS` in
consulta.permissions.
"""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

from consulta.consultations.models import Consultation, Pillar, Recommendation
from consulta.meetings.models import Session
from consulta.permissions import is_administrator, organised_consultations

# How each model offered as a choice in a form reaches its consultation.
SCOPED_CHOICES = {
    Consultation: "",
    Session: "consultation",
    Pillar: "consultation",
    Recommendation: "consultation",
}


def scoped(queryset, user, lookups: tuple[str, ...]):
    """`queryset` narrowed to the consultations `user` organises, by any of `lookups`."""
    if is_administrator(user):
        return queryset
    organised = organised_consultations(user).values("pk")
    condition = Q()
    for lookup in lookups:
        condition |= Q(**{f"{lookup}__in" if lookup else "pk__in": organised})
    return queryset.filter(condition)


class ConsultationScoped:
    consultation_lookups: tuple[str, ...] = ("consultation",)

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user, self.consultation_lookups)

    def _in_scope(self, request, obj) -> bool:
        if obj is None or is_administrator(request.user):
            return True
        found = type(obj)._default_manager.filter(pk=obj.pk)
        return scoped(found, request.user, self.consultation_lookups).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        lookup = SCOPED_CHOICES.get(db_field.related_model)
        if field is not None and lookup is not None:
            field.queryset = scoped(field.queryset, request.user, (lookup,))
        return field

    def get_list_filter(self, request):
        """Related filters list only what the scoped list contains."""
        filters = super().get_list_filter(request)
        if is_administrator(request.user):
            return filters
        return [self._related_only(entry) for entry in filters]

    def _related_only(self, entry):
        if not isinstance(entry, str):
            return entry
        try:
            field = get_fields_from_path(self.model, entry)[-1]
        except FieldDoesNotExist:
            return entry
        if field.is_relation:
            return (entry, admin.RelatedOnlyFieldListFilter)
        return entry
