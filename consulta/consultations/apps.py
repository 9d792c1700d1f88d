from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consulta.consultations"
    verbose_name = "Consultations"
