"""Each stored assessment keeps its target's locality, with an index on (locality, as_of): one city's rows
are read through it instead of a scan of the whole table (issue #20). Existing rows take their target's."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Assessment = apps.get_model("targets", "Assessment")
    Target = apps.get_model("targets", "Target")
    Assessment.objects.update(
        locality_id=Subquery(Target.objects.filter(pk=OuterRef("target_id")).values("locality_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("targets", "0013_i20b_job_refusal")]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="locality",
            field=models.ForeignKey(
                null=True,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="targets.locality",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="assessment",
            name="locality",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="targets.locality",
            ),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(fields=["locality", "as_of"], name="assessment_locality_as_of"),
        ),
    ]
