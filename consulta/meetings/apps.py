from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "consulta.meetings"
    verbose_name = "Sessions and programmes"
