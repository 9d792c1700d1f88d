from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "consulta.access"
    verbose_name = "Access"
