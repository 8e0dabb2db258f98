from django.db import migrations, models

# The three cities publish their figures; their official province codes (and those of the merged units).
PUBLISHING = ("ha-noi", "hai-phong", "da-nang")
CODES = {"ha-noi": "01", "hai-phong": "31", "da-nang": "48", "hai-duong": "30", "quang-nam": "49"}


def publish_the_cities(apps, schema_editor):
    Locality = apps.get_model("targets", "Locality")
    Locality.objects.filter(slug__in=PUBLISHING).update(publishes=True)
    for slug, code in CODES.items():
        Locality.objects.filter(slug=slug).update(official_code=code)


class Migration(migrations.Migration):
    dependencies = [("targets", "0005_i14a_text_limits")]

    operations = [
        migrations.AddField(
            model_name="locality",
            name="publishes",
            field=models.BooleanField(default=False, verbose_name="công khai số liệu"),
        ),
        migrations.AddField(
            model_name="locality",
            name="official_code",
            field=models.CharField(blank=True, max_length=2, verbose_name="mã đơn vị hành chính"),
        ),
        migrations.RunPython(publish_the_cities, migrations.RunPython.noop),
    ]
