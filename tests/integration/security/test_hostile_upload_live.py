"""Three hostile uploads at once against a running server, /healthz asked all along (issue #14, item 1).

The attack put every gunicorn worker into WORKER TIMEOUT and left /healthz unanswered for 58 s. Here the
three crafted files (one cell at row 2,000,000,000, no <dimension>) go to the live test server in parallel
while another thread asks /healthz every 50 ms: each upload gets its message, every health check its 200.
bench/bench_hostile_upload.py measures the same against gunicorn with 3 workers.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from targets.models import Actual
from tests import hostile_files

CSRF = "a" * 32  # the double-submit token: the same value as cookie and header


def _post(url: str, body: bytes, cookies: str) -> tuple[int, str]:
    request = urllib.request.Request(
        url,
        data=body,
        headers={"Content-Type": MULTIPART_CONTENT, "Cookie": cookies, "X-CSRFToken": CSRF},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_three_crafted_uploads_at_once_are_refused_and_healthz_keeps_answering(
    live_server, client, hai_phong_finance_editor, finance_assignments, fixed_today
):
    client.force_login(hai_phong_finance_editor)
    department = finance_assignments[0].department
    template = client.get("/entry/2026-Q4/template.xlsx", {"department": department.pk}).content
    body = encode_multipart(
        BOUNDARY, {"file": SimpleUploadedFile("bieu.xlsx", hostile_files.far_row(template))}
    )
    cookies = f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF}"
    url = f"{live_server.url}/entry/2026-Q4/import/?department={department.pk}"
    before = list(Actual.objects.order_by("pk").values_list("pk", "value", "status", "version"))

    uploads: list[tuple[int, str]] = []
    threads = [threading.Thread(target=lambda: uploads.append(_post(url, body, cookies))) for _ in range(3)]
    health: list[int] = []
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads) or len(health) < 5:
        with urllib.request.urlopen(f"{live_server.url}/healthz", timeout=5) as response:
            health.append(response.status)
        time.sleep(0.05)
    for thread in threads:
        thread.join()

    assert [status for status, _ in uploads] == [400, 400, 400]
    assert all("Tệp có ô ở dòng 2.000.000.000, ngoài phạm vi biểu mẫu" in page for _, page in uploads)
    assert health and set(health) == {200}
    assert list(Actual.objects.order_by("pk").values_list("pk", "value", "status", "version")) == before
