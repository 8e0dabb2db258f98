"""Icons are the portal's own SVG, never emoji (issue 17, item 14): a PC without an emoji font, common in
offices, draws 📎 🔗 💬 ⏳ as empty boxes. Every main page, as each role sees it, is free of emoji; each icon
has a text beside it or a label of its own; the favicon is served."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import regex
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template, TemplateSyntaxError

from targets.devdata import demo_data_generate
from targets.models import Actual, Indicator, Locality, Pillar, PlanTask, Status, Target
from targets.services.catalogue import period_get_or_create
from targets.services.entry import EntryRow, actuals_submit
from targets.services.review import actuals_return, period_lock
from targets.templatetags.icons import ICONS
from tests.hostile_files import real_pdf
from tests.integration.plan_data import load_plan86, tttt_editor

ROOT = Path(__file__).resolve().parents[3]
PERIOD, LOCKED = "2026-Q4", "2026-Q3"
# What a browser draws from an emoji font: characters shown as emoji by default, anything outside the Basic
# Multilingual Plane (no Vietnamese or English text needs it), the emoji variation selector, the zero-width
# joiner of emoji sequences and the keycap.
EMOJI = regex.compile(r"[\p{Emoji_Presentation}\U00010000-\U0010FFFF\uFE0F\u200D\u20E3]")
# Our own templates and assets use no pictograph at all (✔ ⚠ ↩ ✎ ▶ ⬇ …): the portal draws its icons as SVG.
PICTOGRAPH = regex.compile(r"\p{Extended_Pictographic}")
SPRITE = ROOT / "static" / "img" / "icons.svg"
SVG_NS = "{http://www.w3.org/2000/svg}"


def emoji_in(html: str) -> list[str]:
    return sorted({f"U+{ord(c):04X} {c}" for c in EMOJI.findall(html)})


def test_the_emoji_pattern_catches_what_office_pcs_draw_as_boxes():
    assert emoji_in("⏳ 📎 🔗 💬 ⏰ 🔒 ✅ ❌ ⭐ 👍🏽 ✔️") == sorted(
        f"U+{ord(c):04X} {c}" for c in "⏳📎🔗💬⏰🔒✅❌⭐👍🏽\ufe0f"
    )
    # Vietnamese, typography and the arrows and symbols of text fonts are not emoji.
    assert emoji_in("Thẩm định số liệu — “Đã duyệt” · ≥ 50% → 12,5 ± 2 ∅ ✓ ✕ ↗ ⊘ ◆ ©") == []


@pytest.fixture
def world(hai_phong_finance_editor, finance_assignments, hai_phong_reviewer, ha_noi_viewer, superuser, today):
    """Hải Phòng's finance editor has submitted two values for 2026-Q4, one with an evidence file and a link;
    the reviewer returned the other with a comment and locked 2026-Q3. Demo figures fill the dashboards and
    Plan 86 the plan pages."""
    demo_data_generate(today=today)
    period = period_get_or_create(code=PERIOD)
    finance = finance_assignments[0].department
    pdf = SimpleUploadedFile(
        "bien-ban.pdf", real_pdf(), content_type="application/pdf"
    )  # parsed whole: a real one
    rows = [
        EntryRow(
            key="a",
            indicator=Indicator.objects.get(code="epayment_accounts"),
            level="",
            raw_value="61",
            note="Số liệu NHNN",
            evidence_url="https://example.vn/bao-cao-quy-4",
            evidence_file=pdf,
            confirm_outlier=True,
        ),
        EntryRow(
            key="b",
            indicator=Indicator.objects.get(code="work_dossiers_online"),
            level="city",
            raw_value="80",
            note="Theo Cổng DVC",
            confirm_outlier=True,
        ),
    ]
    actuals_submit(user=hai_phong_finance_editor, department=finance, period=period, rows=rows, today=today)
    epay = Actual.objects.get(period=period, indicator__code="epayment_accounts")
    dossiers = Actual.objects.get(period=period, indicator__code="work_dossiers_online", level="city")
    actuals_return(user=hai_phong_reviewer, seen={dossiers.pk: dossiers.version}, comment="Thiếu biên bản")
    period_lock(
        user=hai_phong_reviewer,
        locality=Locality.objects.get(slug="hai-phong"),
        period=period_get_or_create(code=LOCKED),
    )
    plan = load_plan86()
    assert epay.evidence_file and Actual.objects.get(pk=dossiers.pk).status == Status.RETURNED
    return {
        "finance": finance,
        "epay": epay,
        "plan": plan,
        "task": PlanTask.objects.filter(plan=plan).first(),
    }


def _pages_without_emoji(client, urls: list[str]) -> dict[str, str]:
    """Each page's HTML, after checking it answers 200 and shows no emoji."""
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert emoji_in(html) == [], url
        pages[url] = html
    return pages


def test_no_page_a_visitor_sees_shows_an_emoji(client, world):
    _pages_without_emoji(client, ["/accounts/login/", "/open-data/"])


def test_no_page_the_editor_sees_shows_an_emoji_and_the_icons_are_svg(
    client, world, hai_phong_finance_editor, fixed_today
):
    client.force_login(hai_phong_finance_editor)
    d = world["finance"].pk
    pages = _pages_without_emoji(
        client,
        [
            "/entry/",
            f"/entry/{PERIOD}/?department={d}",
            f"/entry/{LOCKED}/?department={d}",
            f"/entry/{PERIOD}/import/?department={d}",
            f"/actuals/{world['epay'].pk}/history/",
            "/catalogue/",
            "/dashboard/hai-phong/",
        ],
    )
    worklist, form, locked = (
        pages["/entry/"],
        pages[f"/entry/{PERIOD}/?department={d}"],
        pages[f"/entry/{LOCKED}/?department={d}"],
    )
    assert 'icons.svg#lock"' in worklist and 'icons.svg#lock"' in locked
    assert 'icons.svg#download"' in form and 'icons.svg#upload"' in form
    # The returned value's comment: an icon announced as the reviewer's comment, then the comment.
    assert re.search(
        r'aria-label="Ý kiến thẩm định">.*?icons\.svg#comment"></use></svg> Thiếu biên bản', form
    )
    assert 'icons.svg#return"' in form and 'icons.svg#hourglass"' in form  # returned and submitted badges


def test_no_page_the_reviewer_sees_shows_an_emoji_and_evidence_links_have_a_label(
    client, world, hai_phong_reviewer, fixed_today
):
    client.force_login(hai_phong_reviewer)
    pages = _pages_without_emoji(
        client,
        [
            f"/review/{PERIOD}/",
            f"/review/{LOCKED}/",
            "/review/assignments/",
            "/reports/",
            f"/actuals/{world['epay'].pk}/history/",
        ],
    )
    review = pages[f"/review/{PERIOD}/"]
    epay = world["epay"]
    assert re.search(
        rf'href="/actuals/{epay.pk}/evidence/" title="Tệp minh chứng"><svg class="svg-icon" role="img" '
        r'aria-label="Tệp minh chứng"><title>Tệp minh chứng</title><use href="/static/img/icons.svg#paperclip">',
        review,
    )
    assert re.search(
        r'href="https://example.vn/bao-cao-quy-4" rel="noopener" title="Đường dẫn minh chứng"><svg [^>]*'
        r'aria-label="Đường dẫn minh chứng">',
        review,
    )
    # Approve and return: a decorative icon beside the word.
    assert (
        '<svg class="svg-icon" aria-hidden="true" focusable="false"><use href="/static/img/icons.svg#check">'
        in (review)
    )
    assert 'icons.svg#lock"' in pages[f"/review/{LOCKED}/"]


def test_no_page_a_leader_sees_shows_an_emoji(client, world, ha_noi_viewer):
    client.force_login(ha_noi_viewer)
    target = Target.objects.filter(locality__slug="ha-noi").first()
    urls = ["/dashboard/", "/dashboard/ha-noi/", "/catalogue/", f"/catalogue/targets/{target.pk}/"]
    urls += [f"/dashboard/ha-noi/{p.slug}/" for p in Pillar.objects.all()]
    urls += ["/indicators/dti_rank/", "/indicators/dti_rank/ha-noi/", "/indicators/epayment_accounts/ha-noi/"]
    _pages_without_emoji(client, urls)


def test_no_plan_page_shows_an_emoji(client, world):
    client.force_login(tttt_editor())
    task = world["task"]
    pages = _pages_without_emoji(
        client,
        ["/plans/", "/plans/hai-phong/2022/", f"/plans/tasks/{task.pk}/", f"/plans/tasks/{task.pk}/history/"],
    )
    assert "svg-icon" in pages["/plans/hai-phong/2022/"]


def test_no_page_the_administrator_sees_shows_an_emoji(client, world, superuser, fixed_today):
    client.force_login(superuser)
    _pages_without_emoji(client, [f"/review/{PERIOD}/?locality=hai-phong", "/dashboard/", "/reports/"])


def test_no_template_or_asset_of_ours_uses_a_pictograph():
    files = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("static/js/*.js"), *ROOT.glob("static/css/*.css")]
    assert len(files) > 30
    found = {
        f"{f.relative_to(ROOT)}: U+{ord(c):04X} {c}"
        for f in files
        for c in PICTOGRAPH.findall(f.read_text(encoding="utf-8"))
    }
    assert sorted(found) == []


def test_every_icon_the_templates_use_is_in_the_sprite():
    sprite = ET.parse(SPRITE).getroot()
    symbols = {s.get("id"): s for s in sprite.iter(f"{SVG_NS}symbol")}
    assert set(symbols) == ICONS
    assert all(s.get("viewBox") == "0 0 24 24" and len(s) >= 1 for s in symbols.values())
    used = {
        name
        for f in ROOT.glob("templates/**/*.html")
        for name in re.findall(r'{%\s*icon\s+"([a-z]+)"', f.read_text(encoding="utf-8"))
    }
    assert used <= ICONS
    assert {"paperclip", "link", "comment", "hourglass", "lock", "clock", "check", "return"} <= used


def test_the_icon_tag_hides_a_decorative_icon_and_labels_one_that_stands_alone():
    html = Template('{% load icons %}{% icon "check" %}|{% icon "link" label %}').render(
        Context({"label": "Đường dẫn <b>"})
    )
    decorative, labelled = html.split("|")
    assert decorative == (
        '<svg class="svg-icon" aria-hidden="true" focusable="false"><use href="/static/img/icons.svg#check"></use></svg>'
    )
    assert labelled == (
        '<svg class="svg-icon" role="img" aria-label="Đường dẫn &lt;b&gt;"><title>Đường dẫn &lt;b&gt;</title>'
        '<use href="/static/img/icons.svg#link"></use></svg>'
    )
    with pytest.raises(TemplateSyntaxError, match="Unknown icon 'smile'"):
        Template('{% load icons %}{% icon "smile" %}').render(Context())


def test_the_sprite_and_the_favicons_are_served_under_the_csp(client, db):
    page = client.get("/accounts/login/")
    html = page.content.decode()
    csp = page["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "img-src 'self'" in csp  # same-origin sprite and favicon
    svg_href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html).group(1)
    assert svg_href == "/static/img/favicon.svg"
    assert '<link rel="icon" href="/favicon.ico" sizes="16x16 32x32">' in html
    for url, start in [
        (svg_href, b"<svg"),
        ("/static/img/icons.svg", b"<svg"),
        ("/favicon.ico", b"\0\0\1\0"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content)
        assert body.startswith(start), url
    ico = b"".join(client.get("/favicon.ico").streaming_content)
    assert int.from_bytes(ico[4:6], "little") == 2  # two images: 16 and 32 px
    assert (ico[6], ico[22]) == (16, 32)


def test_favicon_is_not_a_page_of_the_application(client, db):
    """/favicon.ico is a file, not a view: it needs no login and touches no table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert len(queries) == 0
