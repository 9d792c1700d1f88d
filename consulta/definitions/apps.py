from django.apps import AppConfig


class DefinitionsConfig(AppConfig):
    name = "consulta.definitions"
    verbose_name = "Definition files"
