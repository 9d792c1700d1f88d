"""The synthesis report's addresses. consulta/urls.py includes them in its language-prefixed
patterns: `public` under "c/<slug:slug>/report/" and `manage` under
"manage/<slug:slug>/report/"."""

from django.urls import path

from consulta.synthesis import report_views as views

public = [
    path("", views.public_report, name="report"),
]

manage = [
    path("", views.manage_report, name="manage-report"),
    path("publish/", views.publish, name="manage-report-publish"),
    path("withdraw/", views.withdraw, name="manage-report-withdraw"),
    # Renderings prepared in the background (consulta.jobs).
    path("renderings/", views.prepare_rendering, name="manage-report-prepare"),
    path("renderings/<int:pk>/", views.download_rendering, name="manage-report-rendering"),
]
