from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0005_trust_holes"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="unlisted_organisation",
            field=models.CharField(
                blank=True, max_length=200, verbose_name="organisation not listed"
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="change_decision_emailed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]
