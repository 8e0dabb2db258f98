"""`manage.py backup --out DIR`: the database and the evidence files, with a verified manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from targets import backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump / SQLite online backup) and the evidence files into a new folder."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Folder in which a dated backup folder is created.")

    def handle(self, *args, out, **options):
        try:
            folder = backup.backup(Path(out))
        except Exception as exc:
            raise CommandError(f"Backup failed: {exc}") from exc
        self.stdout.write(str(folder))
