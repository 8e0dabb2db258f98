"""`manage.py load_catalogue [--with-published]`: the catalogue from fixtures/, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from targets.catalogue import CatalogueError
from targets.services.catalogue import catalogue_load, published_figures_load
from targets.services.frameworks import frameworks_load
from targets.services.plans import plans_load
from targets.services.review import department_successions_apply


class Command(BaseCommand):
    help = "Load the indicator catalogue, targets, source documents and plans from fixtures/ (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--root", help="Folder holding catalogue/ and sources/ (default: fixtures/).")
        parser.add_argument("--with-published", action="store_true", help="Also load the published figures.")

    def handle(self, *args, root=None, with_published=False, **options):
        try:
            # All or nothing: a broken plan file leaves the catalogue as it was too.
            with transaction.atomic():
                self._load(Path(root) if root else None, with_published)
        except CatalogueError as exc:
            raise CommandError(
                "The catalogue was not loaded (nothing changed):\n" + "\n".join(exc.errors)
            ) from exc

    def _load(self, root: Path | None, with_published: bool) -> None:
        report = catalogue_load(root=root)
        self.stdout.write(
            f"Catalogue: {report.pillars} pillars, {report.localities} localities, {report.indicators} indicators, "
            f"{report.documents} documents, {report.targets} targets ({report.targets_removed} removed)."
        )
        plans = plans_load(root=root)
        self.stdout.write(
            f"Plans: {plans.plans} plans, {plans.agencies} agencies, {plans.tasks} tasks "
            f"({plans.tasks_removed} removed, {plans.tasks_kept} kept with reported progress)."
        )
        frameworks = frameworks_load(root=root)
        self.stdout.write(
            f"DTI frameworks: {frameworks.frameworks} frameworks, {frameworks.indices} indices, "
            f"{frameworks.indicator_links} indicator links, {frameworks.task_links} task links, "
            f"{frameworks.scores} main-index scores."
        )
        succession = department_successions_apply(today=timezone.localdate())
        self.stdout.write(
            f"Departments that ended: {succession.moved} assignments moved to their successor, "
            f"{succession.merged} already held by it."
        )
        if with_published:
            pub = published_figures_load(path=root / "published_figures.csv" if root else None)
            self.stdout.write(
                f"Published figures: {pub.created} created, {pub.updated} updated, {pub.unchanged} unchanged, "
                f"{pub.former} of pre-merger units kept as their merged locality's predecessor history."
            )
