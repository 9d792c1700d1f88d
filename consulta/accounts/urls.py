"""Accounts, under /<lang>/manage/: two-factor, logout, password reset."""

from django.urls import path

from consulta.accounts import views

reset_request = views.PasswordResetView.as_view()

urlpatterns = [
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.settings_page, name="two-factor"),
    path("two-factor/enrol/", views.enrol, name="two-factor-enrol"),
    path("two-factor/verify/", views.verify, name="two-factor-verify"),
    path("password-reset/", reset_request, name="password_reset"),
    # The admin's login page links to "Forgotten your password?" under this name.
    path("password-reset/", reset_request, name="admin_password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
