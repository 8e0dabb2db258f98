"""Every write of the domain goes through here: validated (`full_clean`), atomic, audited.

One module per subject — `catalogue` (catalogue, periods, published figures), `entry` (drafts, submissions,
the Excel import), `review` (approve, return, reopen, locks, assignments, reminders), `plans` (DTI
improvement plans) — with the refusals in `errors` and the checks they share in `checks`. Views, the Excel
importer and management commands call these functions; nothing else changes a row.
"""
