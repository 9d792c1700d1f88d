"""On PostgreSQL, the database itself refuses to change or delete audit entries.

The one UPDATE let through sets `actor_id` and/or `consultation_id` to NULL and changes
nothing else: that is what deleting an account or a consultation does (ON DELETE SET NULL),
and the entry keeps the username and slug it copied. Other databases rely on the model's
refusals (consulta.audit.models). TRUNCATE, which only a database administrator runs (and
the test suite, to empty the database), is left alone.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.actor_id IS NULL OR NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id)
       AND (NEW.consultation_id IS NULL
            OR NEW.consultation_id IS NOT DISTINCT FROM OLD.consultation_id)
       AND (to_jsonb(NEW) - 'actor_id' - 'consultation_id')
           = (to_jsonb(OLD) - 'actor_id' - 'consultation_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
