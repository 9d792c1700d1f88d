"""Revision pages for pillar co-leads and organisers, under /<lang>/manage/<slug>/revisions/."""

from django.urls import path

from consulta.revisions import views

urlpatterns = [
    path("<slug:slug>/revisions/", views.overview, name="revisions"),
    path("<slug:slug>/revisions/<str:code>/", views.revise, name="revisions-revise"),
    path("<slug:slug>/revisions/<str:code>/keep/", views.keep, name="revisions-keep"),
    path("<slug:slug>/revisions/<str:code>/versions/", views.versions, name="revisions-versions"),
]
