from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "consulta.demo"
    verbose_name = "Demo"
