"""`manage.py create_demo_accounts`: the demo users of `make run` (development only)."""

from django.core.management.base import BaseCommand, CommandError

from targets.devdata import demo_accounts_create


class Command(BaseCommand):
    help = "Create the demo departments and accounts (development only) and print their passwords."

    def handle(self, *args, **options):
        try:
            accounts = demo_accounts_create()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("Demo accounts (development only):")
        width = max(len(u) for u, _, _ in accounts)
        for username, password, roles in accounts:
            self.stdout.write(f"  {username:<{width}}  {password:<18}  {roles}")
