from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info


def language_links(request):
    """The current page in each language, for the language switcher."""
    path = request.get_full_path()
    return {
        "language_links": [
            (code, get_language_info(code)["name_local"], translate_url(path, code))
            for code, _ in settings.LANGUAGES
        ]
    }
