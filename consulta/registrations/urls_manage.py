"""Organiser pages for registrations and attendance (login required, organisers only)."""

from django.urls import path, re_path

from consulta.registrations.views import manage

urlpatterns = [
    path("", manage.home, name="manage-home"),
    path("<slug:slug>/", manage.consultation, name="manage-consultation"),
    path("<slug:slug>/registrations/", manage.registrations, name="manage-registrations"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/registrations\.(?P<fmt>csv|xlsx)$",
        manage.registrations_export,
        name="manage-registrations-export",
    ),
    path(
        "<slug:slug>/registrations/<int:pk>/attendance/",
        manage.attendance_mark,
        name="manage-attendance-mark",
    ),
    path(
        "<slug:slug>/s/<slug:key>/attendance/import/",
        manage.attendance_import,
        name="manage-attendance-import",
    ),
]
