"""Organiser pages for feedback (login required, organisers only): the inbox with moderation,
closing the consultation, and importing answers from a file.

Everything sits under /<lang>/manage/<slug>/feedback/, beside the registrations' pages.
"""

from django.urls import path, re_path

from consulta.feedback.views import imports, manage

urlpatterns = [
    path("<slug:slug>/feedback/", manage.inbox, name="manage-feedback"),
    path("<slug:slug>/feedback/close/", manage.close, name="manage-feedback-close"),
    path("<slug:slug>/feedback/import/", imports.import_answers, name="manage-feedback-import"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/feedback/import/template\.(?P<fmt>csv|xlsx)$",
        imports.import_template,
        name="manage-feedback-import-template",
    ),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/feedback/(?P<kind>answer|point)/(?P<pk>[0-9]+)/hide/$",
        manage.hide,
        name="manage-feedback-hide",
    ),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/feedback/(?P<kind>answer|point)/(?P<pk>[0-9]+)/show/$",
        manage.show_again,
        name="manage-feedback-show",
    ),
]
