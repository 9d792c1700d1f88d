"""The jobs page, included by consulta/urls.py under the language prefix as "manage/jobs/"
(before the organiser pages' "manage/<slug>/", which would otherwise take "jobs" for a slug)."""

from django.urls import path

from consulta.jobs import views

urlpatterns = [
    path("", views.job_list, name="jobs"),
    path("<int:pk>/retry/", views.retry, name="job-retry"),
]
