from django.core.management.base import BaseCommand, CommandError

from consulta.consultations.models import Consultation
from consulta.definitions.exporter import dump, export_consultation


class Command(BaseCommand):
    help = "Write a consultation as a definition file (to standard output) that `load` reads back."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", choices=["yaml", "json"], default="yaml")

    def handle(self, *args, slug, format, **options):
        try:
            data = export_consultation(slug)
        except Consultation.DoesNotExist:
            known = ", ".join(Consultation.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No consultation {slug!r} (known: {known})") from None
        self.stdout.write(dump(data, format), ending="")
