"""`manage.py export_report`: the Sở's Excel report for a locality (or all) and a quarter, or its Báo cáo
(`--format docx`, one locality), written to a file."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports import bao_cao, pages
from reports.display import AsOf
from reports.excel import writer
from targets.models import Locality
from targets.periods import is_provisional, resolve_as_of


class Command(BaseCommand):
    help = "Write the Excel progress report of a locality (or 'all') as of a quarter — for scheduled runs."

    def add_arguments(self, parser):
        parser.add_argument("--locality", required=True, help="A locality slug (hai-phong) or 'all'.")
        parser.add_argument(
            "--period", help="As-of quarter, e.g. 2026-Q3 (default: the last closed quarter)."
        )
        parser.add_argument("--pillar", action="append", default=[], help="Only this pillar (repeatable).")
        parser.add_argument("--out", required=True, help="Where to write the file.")
        parser.add_argument(
            "--format",
            choices=("xlsx", "docx"),
            default="xlsx",
            help="xlsx: the Excel report; docx: the Báo cáo (Decree 30/2020 form) of one locality.",
        )

    def handle(self, *args, locality, period=None, pillar=(), out, format="xlsx", **options):
        if locality == "all":
            localities = list(
                Locality.objects.filter(
                    valid_to__isnull=True, is_country=False, targets__isnull=False
                ).distinct()
            )
        else:
            localities = list(Locality.objects.filter(slug=locality))
        if not localities:
            raise CommandError(f"Unknown locality {locality!r}.")
        today = timezone.localdate()
        try:
            # A quarter that has not begun is refused (nothing is known about it); the current one is
            # provisional ("tạm tính") and the report says so.
            code, as_of = resolve_as_of(period, today=today)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        path = Path(out)
        # Written beside the target and renamed when complete: a failed run never leaves half a
        # file where the last good report was.
        partial = path.with_name(f".{path.name}.partial")
        if format == "docx":
            if len(localities) != 1:
                raise CommandError("A Báo cáo is one locality's: give its slug, not 'all'.")
            try:
                partial.write_bytes(
                    bao_cao.build_bao_cao(locality_id=localities[0].pk, period_code=code, today=today)
                )
                os.replace(partial, path)
            finally:
                partial.unlink(missing_ok=True)
            self.stdout.write(
                f"Wrote {path} ({path.stat().st_size:,} bytes): {localities[0].name} as of {code}."
            )
            return
        data = pages.report(
            locality_ids=[loc.pk for loc in localities],
            as_of=AsOf(code, as_of, provisional=is_provisional(as_of, today=today)),
            pillar_slugs=list(pillar) or None,
            today=timezone.localdate(),
        )
        try:
            writer.write_report(data, str(partial))
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(
            f"Wrote {path} ({path.stat().st_size:,} bytes): {', '.join(data.localities)} as of {code}"
            + (" (provisional: the current quarter)." if data.provisional else ".")
        )
