from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "consulta.audit"
    verbose_name = "Audit trail"
