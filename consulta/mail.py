"""E-mails rendered from a trio of templates: `<name>_subject.txt`, `<name>.txt`, `<name>.html`."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def templated_message(template: str, context: dict, *, to: str) -> EmailMultiAlternatives:
    """A plain-text and HTML message in the active language (callers set it with
    `translation.override`), ready to attach files to and send."""
    subject = render_to_string(f"{template}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
