"""Who organises which consultation: per-consultation organiser roles, the Django admin's
permissions for organisers, and the admin's scoping to the consultations a user organises.

The rules themselves live in `consulta.permissions`; this app stores the roles and applies the
rules to the Django admin."""
