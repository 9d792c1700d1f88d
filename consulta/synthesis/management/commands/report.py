"""`consulta report SLUG --format html|docx|pdf|xlsx --lang en -o FILE`: write a
consultation's synthesis report, showing each step (loading, analysing, rendering, writing)
on its own line with a progress bar on standard error."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from consulta.consultations.models import Consultation
from consulta.lib.languages import SUPPORTED_LANGUAGES
from consulta.synthesis import report as reports
from consulta.synthesis.document import build_document

STEPS = ("loading", "analysing", "rendering", "writing")
BAR = 20


class Progress:
    """One line per step: "[#####···············] 1/4 loading … done in 0.1 s"."""

    def __init__(self, stream, steps=STEPS):
        """`stream` is a command's OutputWrapper (its standard error)."""
        self.stream = stream
        self.steps = steps
        self.done = 0

    def step(self, name: str):
        return _Step(self, name)

    def line(self, name: str, status: str) -> str:
        filled = round(BAR * self.done / len(self.steps))
        bar = "#" * filled + "·" * (BAR - filled)
        return f"[{bar}] {self.done}/{len(self.steps)} {name} {status}"


class _Step:
    def __init__(self, progress: Progress, name: str):
        self.progress = progress
        self.name = name

    def __enter__(self):
        self.started = time.perf_counter()
        stream = self.progress.stream
        if stream.isatty():
            stream.write("\r" + self.progress.line(self.name, "…"), ending="")
            stream.flush()
        return self

    def __exit__(self, kind, value, traceback):
        if kind is not None:
            if self.progress.stream.isatty():
                self.progress.stream.write("\n", ending="")
            return False
        self.progress.done += 1
        elapsed = time.perf_counter() - self.started
        line = self.progress.line(self.name, f"done in {elapsed:.1f} s")
        prefix = "\r" if self.progress.stream.isatty() else ""
        self.progress.stream.write(prefix + line + "\n", ending="")
        self.progress.stream.flush()
        return False


class Command(BaseCommand):
    help = (
        "Write the synthesis report of a consultation as HTML, DOCX, PDF or the XLSX data "
        "annex, in one of the interface's languages."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The consultation's slug.")
        parser.add_argument("--format", dest="fmt", choices=sorted(reports.FORMATS), default="html")
        parser.add_argument("--lang", choices=SUPPORTED_LANGUAGES, default="en")
        parser.add_argument(
            "-o",
            "--output",
            help="The file to write (default: SLUG-report-LANG.FORMAT in the current folder).",
        )

    def handle(self, *args, slug, fmt, lang, output, **options):
        progress = Progress(self.stderr)
        with progress.step("loading"):
            consultation = Consultation.objects.filter(slug=slug).first()
            if consultation is None:
                raise CommandError(f"No consultation with the slug {slug!r}.")
        with progress.step("analysing"):
            document = build_document(consultation, lang)
        with progress.step("rendering"):
            content = reports.render(document, fmt)
        target = Path(output or reports.filename(consultation, lang, fmt))
        with progress.step("writing"):
            partial = target.with_name(f".{target.name}.partial")
            partial.write_bytes(content)
            partial.replace(target)
        self.stdout.write(f"Wrote {target} ({len(content):,} bytes, {fmt}, {lang}).")
