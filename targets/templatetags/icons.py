"""`{% icon "name" %}`: the portal's own SVG icons instead of emoji, which office PCs without an emoji font
draw as empty boxes. The icons live in one sprite, static/img/icons.svg, referenced by <use> (same origin,
allowed by the CSP, cached once for every page).

`{% icon "check" %}` is decorative (hidden from screen readers) and goes next to a text that says the same;
`{% icon "paperclip" _("Tệp minh chứng") %}` stands alone and is announced by its label."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

SPRITE = "img/icons.svg"
ICONS = frozenset(
    {
        "alert",
        "check",
        "circle",
        "clock",
        "comment",
        "cross",
        "download",
        "hourglass",
        "link",
        "lock",
        "paperclip",
        "pencil",
        "play",
        "return",
        "upload",
    }
)


@register.simple_tag
def icon(name: str, label: str = "") -> SafeString:
    if name not in ICONS:
        raise template.TemplateSyntaxError(f"Unknown icon {name!r}: the sprite {SPRITE} has {sorted(ICONS)}")
    href = f"{static(SPRITE)}#{name}"
    if label:
        return format_html(
            '<svg class="svg-icon" role="img" aria-label="{}"><title>{}</title><use href="{}"></use></svg>',
            label,
            label,
            href,
        )
    return format_html(
        '<svg class="svg-icon" aria-hidden="true" focusable="false"><use href="{}"></use></svg>', href
    )
