from django.core.management.base import BaseCommand, CommandError

from targets import services
from targets.catalogue import CatalogueError


class Command(BaseCommand):
    help = "Load the indicator catalogue, targets and source documents from fixtures/ (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--root", help="Folder holding catalogue/ and sources/ (default: fixtures/).")
        parser.add_argument("--with-published", action="store_true", help="Also load the published figures.")

    def handle(self, *args, root=None, with_published=False, **options):
        from pathlib import Path

        try:
            report = services.catalogue_load(root=Path(root) if root else None)
            self.stdout.write(
                f"Catalogue: {report.pillars} pillars, {report.localities} localities, {report.indicators} indicators, "
                f"{report.documents} documents, {report.targets} targets ({report.targets_removed} removed)."
            )
            if with_published:
                pub = services.published_figures_load(
                    path=Path(root) / "published_figures.csv" if root else None
                )
                self.stdout.write(
                    f"Published figures: {pub.created} created, {pub.updated} updated, {pub.unchanged} unchanged."
                )
        except CatalogueError as exc:
            raise CommandError(
                "The catalogue was not loaded (nothing changed):\n" + "\n".join(exc.errors)
            ) from exc
