"""A participant's feedback pages, under /<lang>/r/<token>/feedback/ (each view takes `token`)."""

from django.urls import path

from consulta.feedback.views import participant as views

app_name = "participant_feedback"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("p/<slug:pillar_code>/", views.pillar, name="pillar"),
    path("a/<str:code>/", views.answer, name="answer"),
    path("summary/", views.summary, name="summary"),
    path("prioritise/", views.prioritise, name="prioritise"),
]
