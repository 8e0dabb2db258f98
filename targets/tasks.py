"""The background worker's tasks (django-tasks; on Django 6 the same code runs on `django.tasks`).

One task runs every kind of job (`targets.jobs.KINDS`): the worker (`manage.py db_worker`) takes it from
the database queue and runs `targets.jobs.execute`, which records the job's progress, file or failure.
"""

from django_tasks import task


@task()
def run_job(job_id: int) -> None:
    from .jobs import execute

    execute(job_id)
