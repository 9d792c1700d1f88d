"""Moderators' live capture, under /<lang>/manage/ (organisers and assigned moderators)."""

from django.urls import path

from consulta.feedback.views import capture

urlpatterns = [
    path("capture/", capture.sessions, name="capture-sessions"),
    path("capture/login/", capture.CaptureLogin.as_view(), name="capture-login"),
    path("<slug:slug>/s/<slug:key>/capture/", capture.capture, name="capture"),
    path(
        "<slug:slug>/s/<slug:key>/capture/points.json",
        capture.points_json,
        name="capture-points",
    ),
    path("<slug:slug>/s/<slug:key>/capture/<int:pk>/edit/", capture.edit, name="capture-edit"),
    path(
        "<slug:slug>/s/<slug:key>/capture/<int:pk>/delete/",
        capture.delete,
        name="capture-delete",
    ),
]
