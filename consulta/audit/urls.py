"""The audit trail for platform administrators (under /<lang>/manage/audit/)."""

from django.urls import path, re_path

from consulta.audit import views

urlpatterns = [
    path("", views.trail, name="audit-trail"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", views.export, name="audit-export"),
]
