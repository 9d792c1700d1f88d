"""Small helpers that import nothing from Django, so they can be tested alone."""
