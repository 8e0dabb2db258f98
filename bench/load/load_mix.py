"""The load test's mix, shared by the locustfile and run.py (which must not import locust: it patches the
standard library with gevent on import)."""

import os

PASSWORD = "scale-demo-2026"
BENCH_PASSWORD = "bench-pass-2026"
# The last closed quarter: the dashboards' default, and the quarter being entered and approved.
AS_OF = "2026-Q3"
PILLARS = ("chinh-quyen-so", "kinh-te-so", "xa-hoi-so")
BUSY = tuple(f"demo-{n:02d}" for n in range(1, 6))  # the provinces the leaders read, where the writers work
# LOAD_WRITERS_ELSEWHERE=1 (run.py --writers-elsewhere), for comparison: the writers work in five other
# provinces, so that their writes cool none of the leaders' province pages (the national overview still).
WRITERS = (
    tuple(f"demo-{n:02d}" for n in range(6, 11)) if os.environ.get("LOAD_WRITERS_ELSEWHERE") == "1" else BUSY
)
SUBMIT_DEPARTMENT = "van-phong-ubnd"  # the submitters' department (44 quarterly indicators)
DRAFT_DEPARTMENT = "so-tai-chinh"  # the draft savers' department
SERIES = ("work_dossiers_online", "epayment_accounts", "demo_indicator_001", "demo_indicator_002")
DASHBOARDS = (
    "/dashboard/",
    "/dashboard/[city]/",
    "/dashboard/[city]/[pillar]/",
    "/dashboard/[city]/[pillar]/?sort",
    "/indicators/[code]/[city]/",
)
