from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "consulta.api"
    label = "api"
    verbose_name = "API"
