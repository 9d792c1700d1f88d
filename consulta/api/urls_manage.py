"""Organisers' API token pages, under /<lang>/manage/api-tokens/."""

from django.urls import path

from consulta.api.views import manage

urlpatterns = [
    path("api-tokens/", manage.token_list, name="manage-api-tokens"),
    path("api-tokens/<int:pk>/revoke/", manage.token_revoke, name="manage-api-token-revoke"),
]
