"""Template tags of the reports app for pages of other apps: a target's progress on its catalogue page
(issue #17, item 9). The catalogue (targets/) never imports reports/: its template asks for this block."""

from __future__ import annotations

from django import template

from .. import views

register = template.Library()


@register.inclusion_tag("reports/_target_progress.html", takes_context=True)
def target_progress(context, target) -> dict:
    """The target's status, newest figure, small chart and links (`reports.views.target_progress`)."""
    progress = views.target_progress(
        context["request"],
        locality_slug=target.locality.slug,
        indicator_code=target.indicator.code,
        level=target.level,
        target_id=target.pk,
    )
    return {"progress": progress, "target": target}
