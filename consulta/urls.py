from django.contrib import admin
from django.urls import path

from consulta.front import views

admin.site.site_header = "Consulta — organiser pages"
admin.site.site_title = "Consulta"

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
]
