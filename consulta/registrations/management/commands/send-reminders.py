from django.core.management.base import BaseCommand

from consulta.registrations.actions import send_due_reminders


class Command(BaseCommand):
    help = (
        "E-mail each registered participant one reminder in the 24 hours before their session. "
        "Run it every few minutes (cron or a systemd timer); it never sends a reminder twice."
    )

    def handle(self, *args, **options):
        sent = send_due_reminders()
        self.stdout.write(f"Reminders sent: {sent}")
