from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "consulta.feedback"
    verbose_name = "Feedback"
