"""The survey builder (issue 11): answers outlive the question they answer (RESTRICT), and a
survey may be opened by a short link. Existing surveys get a short code each before the code
becomes unique (a callable default gives every row the same value when a column is added)."""

import django.db.models.deletion
from django.db import migrations, models

import ipup.models.surveys


def short_codes(apps, schema_editor):
    Survey = apps.get_model("ipup", "Survey")
    for survey in Survey.objects.only("pk"):
        survey.short_code = ipup.models.surveys.new_short_code()
        survey.save(update_fields=["short_code"])


class Migration(migrations.Migration):
    dependencies = [
        ("ipup", "0002_needs_audience_anonymity"),
    ]

    operations = [
        migrations.AlterField(
            model_name="answer",
            name="question",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="answers",
                to="ipup.question",
            ),
        ),
        migrations.AddField(
            model_name="survey",
            name="public_link",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Signed-in members of the audience may also answer through a short link, "
                    "shown with its QR code on the survey's page (for an event room or a "
                    "webinar chat)."
                ),
                verbose_name="short link and QR code",
            ),
        ),
        migrations.AddField(
            model_name="survey",
            name="short_code",
            field=models.CharField(editable=False, max_length=12, null=True),
        ),
        migrations.RunPython(short_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="survey",
            name="short_code",
            field=models.CharField(
                default=ipup.models.surveys.new_short_code,
                editable=False,
                max_length=12,
                unique=True,
            ),
        ),
    ]
