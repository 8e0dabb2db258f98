"""`manage.py send_reminders`: e-mail the departments whose quarter is due or late."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from targets.services.review import department_successions_apply, reminders_due, reminders_send


class Command(BaseCommand):
    help = (
        "E-mail each department that has unsubmitted indicators in a quarter whose deadline is within "
        "7 days or past (meant for cron, e.g. daily at 08:00)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="Remind this many days before the deadline.")
        parser.add_argument("--dry-run", action="store_true", help="List the reminders without sending them.")

    def handle(self, *args, days=7, dry_run=False, **options):
        today = timezone.localdate()
        if not dry_run:
            # Assignments of departments that have ended go to their successor first (issue #16).
            department_successions_apply(today=today)
        remind = reminders_due if dry_run else reminders_send
        sent = remind(today=today, days=days)
        for r in sent:
            self.stdout.write(
                f"{'(dry run) ' if dry_run else ''}{r.department} · {r.period}: {r.missing} chưa gửi, hạn {r.deadline:%d/%m/%Y}"
                f" → {', '.join(r.recipients) or '(no address)'}"
            )
        self.stdout.write(f"{len(sent)} reminder(s).")
