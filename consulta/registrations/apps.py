from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "consulta.registrations"
    verbose_name = "Registrations"
