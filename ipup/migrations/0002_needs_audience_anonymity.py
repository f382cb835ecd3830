"""Needs take their audience from the room they were recorded from; anonymous survey answers
keep nothing that leads to a person (issue 10, points 4 and 5).

The data step brings existing rows under the same rules: a need recorded from a thread gets its
room; an invitation only knows that it was answered; the submitted responses of anonymous
surveys are detached from their invitations, keep their times to the day only and lose any
organisation key made from an invitation's id; the drafts left in closed anonymous surveys are
deleted. It cannot be undone (the precise times are gone), so going back keeps the new data.
"""

import secrets

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery


def forwards(apps, schema_editor):
    Need = apps.get_model("ipup", "Need")
    Thread = apps.get_model("community", "Thread")
    SurveyInvitation = apps.get_model("ipup", "SurveyInvitation")
    Response = apps.get_model("ipup", "Response")

    Need.objects.filter(source_thread__isnull=False).update(
        room_id=Subquery(Thread.objects.filter(pk=OuterRef("source_thread_id")).values("room_id"))
    )
    SurveyInvitation.objects.filter(responded_at__isnull=False).update(has_answered=True)

    anonymous = Response.objects.filter(survey__is_anonymous=True)
    now = django.utils.timezone.now()
    anonymous.filter(status="draft").filter(
        Q(survey__closed_early_at__isnull=False) | Q(survey__closes_at__lte=now)
    ).delete()
    for response in anonymous.filter(status="submitted"):
        day = django.utils.timezone.localtime(response.submitted_at).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        response.invitation = None
        response.submitted_at = response.started_at = response.updated_at = day
        if not response.organisation_key.startswith("org:"):
            response.organisation_key = f"one:{secrets.token_hex(8)}"
        response.save(
            update_fields=[
                "invitation",
                "submitted_at",
                "started_at",
                "updated_at",
                "organisation_key",
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("ipup", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="need",
            name="room",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="needs",
                to="community.room",
                verbose_name="recorded from the room",
            ),
        ),
        migrations.AddField(
            model_name="surveyinvitation",
            name="has_answered",
            field=models.BooleanField(default=False, verbose_name="answered"),
        ),
        migrations.AlterField(
            model_name="response",
            name="invitation",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="response",
                to="ipup.surveyinvitation",
            ),
        ),
        migrations.AlterField(
            model_name="response",
            name="updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="survey",
            name="is_anonymous",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Answers are stored without the respondent's name, e-mail or the time they "
                    "answered: only their role level, affiliation, country and organisation are "
                    "kept, for the weighting. Not even the coordinators can tell which answers "
                    "are whose."
                ),
                verbose_name="anonymous",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="surveyinvitation",
            name="responded_at",
        ),
    ]
