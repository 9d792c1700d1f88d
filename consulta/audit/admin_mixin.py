"""Set-up changes made in the Django admin, in the audit trail.

`AuditedAdmin` goes first among a ModelAdmin's bases. Each save through the admin records one
entry for the object ("session.created", "consultation.changed" with the changed fields before
and after, many-to-many fields as sorted ids), one per inline object created, changed or
deleted ("programmeitem.changed"), and one per deleted object. The state before is read from
the database when the form is saved, so a ModelAdmin's own `save_model` (the recommendation's,
which revises through `consulta.consultations.actions`) needs no change. `audit_exclude` names
fields that another write path records already (a recommendation's wording).
"""

from consulta.audit.actions import diff, record, snapshot


def state(instance, exclude=()) -> dict:
    """The stored-field snapshot of `instance` plus its many-to-many fields as sorted ids."""
    values = snapshot(instance, exclude=exclude)
    if instance.pk is not None:
        for field in instance._meta.many_to_many:
            if field.name not in exclude:
                values[field.name] = sorted(
                    getattr(instance, field.name).values_list("pk", flat=True)
                )
    return values


def stored(instance, exclude=()) -> dict:
    """`state` of `instance` as the database holds it now (empty when it is not there)."""
    found = type(instance)._default_manager.filter(pk=instance.pk).first()
    return state(found, exclude) if found is not None else {}


class AuditedAdmin:
    audit_exclude: tuple[str, ...] = ()

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        obj._audit_before = stored(obj, self.audit_exclude) if change else None
        return obj

    def save_related(self, request, form, formsets, change):
        inline_before = {}
        for formset in formsets:
            for inline_form in formset.initial_forms:
                instance = inline_form.instance
                if inline_form in formset.deleted_forms:
                    name = instance._meta.model_name
                    record(request.user, f"{name}.deleted", instance, before=state(instance))
                elif inline_form.has_changed():
                    inline_before[(type(instance), instance.pk)] = stored(instance)
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(obj, "_audit_before", None)
        name = obj._meta.model_name
        if before is None:
            record(request.user, f"{name}.created", obj, after=state(obj))
        else:
            before, after = diff(before, state(obj, self.audit_exclude))
            if after:
                record(request.user, f"{name}.changed", obj, before, after)
        for formset in formsets:
            for instance in getattr(formset, "new_objects", []):
                name = instance._meta.model_name
                record(request.user, f"{name}.created", instance, after=state(instance))
            for instance, _fields in getattr(formset, "changed_objects", []):
                key = (type(instance), instance.pk)
                before, after = diff(inline_before.get(key, {}), state(instance))
                if after:
                    name = instance._meta.model_name
                    record(request.user, f"{name}.changed", instance, before, after)

    def delete_model(self, request, obj):
        name = obj._meta.model_name
        record(request.user, f"{name}.deleted", obj, before=state(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            name = obj._meta.model_name
            record(request.user, f"{name}.deleted", obj, before=state(obj))
        super().delete_queryset(request, queryset)
