import secrets
import signal
import subprocess
import sys
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from consulta.access.actions import grant_organiser
from consulta.consultations.models import Consultation
from consulta.definitions.loader import load_file
from consulta.demo import DEMO_FILE, DEMO_SLUG, REHEARSAL_SLUG

ORGANISER = "organiser"


class Command(BaseCommand):
    help = (
        "Set up the demo (database, the 2024 consultation, a rehearsal copy whose first session "
        "is a week from today, an organiser account) and serve it on localhost."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Set up only.")

    def handle(self, *args, port, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Database ready: {connection.settings_dict['NAME']}")
        report = load_file(DEMO_FILE)
        self.stdout.write(f"Demo consultation {report.consultation.slug}: {report.summary()}")
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"  warning: {warning}"))
        self.ensure_rehearsal()
        self.ensure_organiser()
        if no_serve:
            return
        # E-mails and report renderings are background jobs: the demo runs one worker beside
        # the web server, stopped with it, so its e-mails appear in this terminal at once.
        worker = subprocess.Popen([sys.executable, "-m", "consulta.cli", "worker"])
        # Stopped by SIGTERM as by Ctrl+C: the worker goes too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write(f"Serving on http://127.0.0.1:{port}/ (Ctrl+C to stop)")
        try:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=30)

    def ensure_rehearsal(self):
        """A copy a newcomer can use for real: reused while its sessions are still ahead."""
        rehearsal = Consultation.objects.filter(slug=REHEARSAL_SLUG).first()
        if rehearsal and rehearsal.sessions.filter(starts_at__gt=timezone.now()).exists():
            self.stdout.write(f"Rehearsal copy {REHEARSAL_SLUG}: reused")
            return
        report = load_file(
            DEMO_FILE,
            shift_to=timezone.localdate() + timedelta(days=7),
            slug=REHEARSAL_SLUG,
            title="Rehearsal: regional consultations on missing migrants and humanitarian "
            "assistance to migrants in distress",
        )
        first = report.consultation.sessions.order_by("starts_at").first()
        self.stdout.write(
            f"Rehearsal copy {REHEARSAL_SLUG}: first session {first.local_start():%a %d %b %Y %H:%M} "
            f"{first.timezone}"
        )

    def ensure_organiser(self):
        """A staff account that organises both demo consultations (not an administrator:
        `consulta createsuperuser` makes one)."""
        users = get_user_model()
        existing = users.objects.filter(username=ORGANISER).first()
        if existing is not None:
            self.grant_demo_consultations(existing)
            self.stdout.write(
                f"Organiser account {ORGANISER!r} exists (its password was printed when it was "
                f"created; `consulta changepassword {ORGANISER}` sets a new one)"
            )
            return
        password = secrets.token_urlsafe(12)
        organiser = users.objects.create_user(
            ORGANISER, "organiser@localhost", password, is_staff=True
        )
        self.grant_demo_consultations(organiser)
        self.stdout.write(
            self.style.SUCCESS(
                f"Organiser account created. Log in at /admin/ as {ORGANISER!r} with password "
                f"{password!r} (shown only this once); it organises both demo consultations. "
                "`consulta createsuperuser` makes an administrator, who also manages accounts"
            )
        )

    def grant_demo_consultations(self, user):
        for consultation in Consultation.objects.filter(slug__in=[DEMO_SLUG, REHEARSAL_SLUG]):
            grant_organiser(consultation, user)
