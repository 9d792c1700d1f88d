"""Open written submissions, under /<lang>/c/<slug>/submit/."""

from django.urls import path

from consulta.feedback.views import open as views

urlpatterns = [
    path("", views.submit, name="open-submission"),
    path("sent/", views.sent, name="open-submission-sent"),
    path("confirm/<str:token>/", views.confirm, name="open-submission-confirm"),
]
