"""Where the worker's task was before it moved to `targets.tasks` (the job machinery lives in targets/):
a task queued by the release before names this module, and still runs."""

from targets.tasks import run_job

__all__ = ["run_job"]
