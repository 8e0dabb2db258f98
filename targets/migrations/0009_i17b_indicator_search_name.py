"""Issue #17, item 8: each indicator's name without diacritics, for a search that does not need them."""

import unicodedata

from django.db import migrations, models


def _fold(text):
    # The same as targets.search.fold at the time of writing (a migration keeps its own copy).
    text = (text or "").translate(str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"}))
    bare = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def fill(apps, schema_editor):
    Indicator = apps.get_model("targets", "Indicator")
    rows = list(Indicator.objects.only("pk", "name"))
    for row in rows:
        row.search_name = _fold(row.name)
    Indicator.objects.bulk_update(rows, ["search_name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("targets", "0008_i21_national_frame")]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="search_name",
            field=models.CharField(
                blank=True, editable=False, max_length=255, verbose_name="tên không dấu (để tìm kiếm)"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
