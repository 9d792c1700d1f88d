"""Public pages are language-prefixed (/en/, /fr/ …); calendar files keep one stable address
each and take the language as ?lang=xx."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from consulta.api.api import api
from consulta.front import views as front
from consulta.meetings import views as calendars
from consulta.registrations.views import public as registrations
from consulta.serving import views as serving
from consulta.synthesis import report_urls

admin.site.site_header = "Consulta — organiser pages"
admin.site.site_title = "Consulta"

urlpatterns = [
    path("c/<slug:slug>/calendar.ics", calendars.consultation_feed, name="consultation-calendar"),
    path(
        "c/<slug:slug>/s/<slug:key>/calendar.ics",
        calendars.session_calendar,
        name="session-calendar",
    ),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", serving.healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", front.home, name="home"),
    path("privacy/", front.privacy, name="privacy"),
    path("c/<slug:slug>/", front.consultation, name="consultation"),
    path("c/<slug:slug>/s/<slug:key>/", front.session, name="session"),
    path("c/<slug:slug>/s/<slug:key>/register/", registrations.register, name="register"),
    path("r/<str:token>/", registrations.personal_page, name="personal"),
    path("r/<str:token>/invitation.ics", registrations.invitation, name="personal-invitation"),
    path("r/<str:token>/my-data.json", registrations.download_personal_data, name="personal-data"),
    path("privacy/erase/<str:token>/", registrations.confirm_erasure, name="personal-erase"),
    path("r/<str:token>/feedback/", include("consulta.feedback.urls_participant")),
    path("c/<slug:slug>/submit/", include("consulta.feedback.urls_open")),
    path("manage/audit/", include("consulta.audit.urls")),
    path("manage/jobs/", include("consulta.jobs.urls")),
    path("manage/", include("consulta.feedback.urls_capture")),
    # Before the pages under manage/<slug>/, so these names are never taken for a slug.
    path("manage/", include("consulta.accounts.urls")),
    path("manage/", include("consulta.api.urls_manage")),
    path("manage/", include("consulta.registrations.urls_manage")),
    path("manage/", include("consulta.feedback.urls_manage")),
    path("manage/", include("consulta.revisions.urls")),
    path("manage/", include("consulta.synthesis.urls")),
    path("c/<slug:slug>/report/", include(report_urls.public)),
    path("manage/<slug:slug>/report/", include(report_urls.manage)),
)

# The database being out of reach is a 503 (with Retry-After), never a 500 or a 400.
handler500 = "consulta.serving.views.server_error"
handler400 = "consulta.serving.views.bad_request"
