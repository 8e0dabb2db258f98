from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from targets import backup


class Command(BaseCommand):
    help = "Restore the database and the evidence files from a backup folder (replaces what is there)."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="A folder written by `manage.py backup`.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, folder, yes=False, **options):
        if (
            not yes
            and input(f"Replace the current database and evidence files with {folder}? [y/N] ").lower() != "y"
        ):
            raise CommandError("Cancelled.")
        try:
            counts = backup.restore(Path(folder))
        except Exception as exc:
            raise CommandError(f"Restore failed: {exc}") from exc
        self.stdout.write(f"Restored {sum(counts.values())} rows in {len(counts)} tables from {folder}.")
