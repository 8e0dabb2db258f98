"""`manage.py restore DIR [--verify-only]`: a backup verified whole, then restored, or nothing changed."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from targets import backup


class Command(BaseCommand):
    help = (
        "Restore the database and the evidence files from a backup folder (replaces what is there). The whole "
        "backup is verified first; a backup that does not verify, or a restore that fails, changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="A folder written by `manage.py backup`.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--verify-only", action="store_true", help="Only verify the backup (checksums, archive, dump)."
        )

    def handle(self, *args, folder, yes=False, verify_only=False, **options):
        if verify_only:
            try:
                manifest = backup.verify(Path(folder))
            except backup.BackupError as exc:
                raise CommandError(f"The backup does not verify: {exc}") from exc
            self.stdout.write(
                f"{folder} verifies: {sum(manifest['tables'].values())} rows in {len(manifest['tables'])} "
                f"tables, {manifest['media']['files']} evidence files."
            )
            return
        if (
            not yes
            and input(f"Replace the current database and evidence files with {folder}? [y/N] ").lower() != "y"
        ):
            raise CommandError("Cancelled.")
        try:
            counts = backup.restore(Path(folder))
        except backup.BackupError as exc:
            raise CommandError(f"Restore refused, nothing was changed: {exc}") from exc
        except Exception as exc:
            raise CommandError(f"Restore failed: {exc}") from exc
        self.stdout.write(f"Restored {sum(counts.values())} rows in {len(counts)} tables from {folder}.")
