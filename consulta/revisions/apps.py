from django.apps import AppConfig


class RevisionsConfig(AppConfig):
    name = "consulta.revisions"
    verbose_name = "Revisions"
