from django.core.management.base import BaseCommand

from consulta.registrations.privacy import purge_personal_data


class Command(BaseCommand):
    help = (
        "Erase participants' names and contact details in every consultation whose retention "
        "period (personal_data_retention_days after closing) has passed; answers stay, counted "
        "anonymously. Run it daily; running it again erases nothing more."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be erased; change nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        for purge in purge_personal_data(dry_run=dry_run):
            slug = purge.consultation.slug
            counts = f"{purge.registrations} registration(s), {purge.submissions} submission(s)"
            if purge.kept_until is None:
                line = f"{slug}: no closing date yet, kept ({counts} hold personal data)"
            elif not purge.due:
                line = f"{slug}: kept until {purge.kept_until} ({counts} hold personal data)"
            elif dry_run:
                line = f"{slug}: kept until {purge.kept_until}; would erase {counts}"
            else:
                line = f"{slug}: kept until {purge.kept_until}; erased {counts}"
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
