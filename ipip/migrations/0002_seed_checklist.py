from django.db import migrations


def seed(apps, schema_editor):
    from ipip.seed import seed_first_version

    seed_first_version(apps)


class Migration(migrations.Migration):
    dependencies = [("ipip", "0001_checklists_alerts")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
