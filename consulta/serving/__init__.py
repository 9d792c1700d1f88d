"""Production serving: the `serve` command (gunicorn), static files, `/healthz`, and a 503
instead of a 500 while the database is out of reach."""
