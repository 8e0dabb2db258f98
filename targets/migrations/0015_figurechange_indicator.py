"""A figure change names the indicator it touched (issue #20): a series page is cached under the changes of
its own series, so approving one indicator of a city no longer cools the city's other series pages. Rows
written before keep no indicator, which means every indicator: nothing cached before is trusted."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("targets", "0014_assessment_locality")]

    operations = [
        migrations.AddField(
            model_name="figurechange",
            name="indicator",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="targets.indicator",
            ),
        ),
    ]
