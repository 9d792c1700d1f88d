from datetime import date

from django.core.management.base import BaseCommand, CommandError

from consulta.definitions.loader import load_file
from consulta.definitions.schema import DefinitionError


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--shift-to {text!r}: expected a date as YYYY-MM-DD") from None


class Command(BaseCommand):
    help = (
        "Create or update a consultation from a definition file (YAML or JSON). Loading the same "
        "file again changes nothing. With --shift-to, load it as a new round whose first session "
        "falls on or just after DATE, every date moved by whole weeks."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--shift-to", type=iso_date, metavar="DATE")
        parser.add_argument("--slug", help="Load under this slug instead of the file's.")
        parser.add_argument("--title", help="Load under this title instead of the file's.")

    def handle(self, *args, file, shift_to, slug, title, **options):
        try:
            report = load_file(file, shift_to=shift_to, slug=slug, title=title)
        except DefinitionError as error:
            count = len(error.problems)
            lines = [f"{file}: nothing loaded, {count} problem{'s' if count > 1 else ''}:"]
            lines += [f"  {problem}" for problem in error.problems]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(f"Loaded {report.consultation.slug}")
        for line in report.lines():
            self.stdout.write(f"  {line}")
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"  warning: {warning}"))
