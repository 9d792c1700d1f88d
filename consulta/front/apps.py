from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "consulta.front"
    verbose_name = "Public pages"
