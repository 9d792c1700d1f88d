"""Django's PostgreSQL backend, checking only connections that sat idle (see base.py)."""
