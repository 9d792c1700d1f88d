"""The organisers' synthesis dashboard (login required; organisers only, co-leads later), under
/<lang>/manage/<slug>/synthesis/ beside the registrations' and the feedback's pages."""

from django.urls import path

from consulta.synthesis import views

urlpatterns = [
    path("<slug:slug>/synthesis/", views.dashboard, name="manage-synthesis"),
    path(
        "<slug:slug>/synthesis/r/<str:code>/",
        views.recommendation,
        name="manage-synthesis-recommendation",
    ),
]
