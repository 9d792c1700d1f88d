"""Filled in by the feedback pages."""

urlpatterns = []
