from django.apps import AppConfig


class ServingConfig(AppConfig):
    name = "consulta.serving"
    verbose_name = "Serving"
