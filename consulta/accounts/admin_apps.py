from django.contrib.admin.apps import AdminConfig


class ConsultaAdminConfig(AdminConfig):
    """Django's admin, whose one site asks administrators for their two-factor code."""

    default_site = "consulta.accounts.admin_site.ConsultaAdminSite"
