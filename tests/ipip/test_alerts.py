"""Project alerts (SPEC §4.3): milestones due on a day, sent once whatever the runs, caught up
in order after downtime, only to followers in good standing, by e-mail as each prefers, in a
number of queries that does not grow with the number of projects."""

from datetime import date, timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from community.models import AffiliationType, Domain, EmailFrequency, Notification
from ipip.models import AlertRun, ChecklistTemplate, Follow, ProjectAlert, ProjectChecklist
from ipip.services.alerts import follow_domains_save, milestones, project_alerts_run
from ipip.tasks import project_alerts_task
from tests.ipup.factories import ResearchProjectFactory

D = date(2027, 3, 10)


def _alerts(member):
    return list(
        Notification.objects.filter(recipient=member, kind=Notification.Kind.PROJECT_ALERT)
        .order_by("pk")
        .values_list("key", flat=True)
    )


def _project(start=None, end=None, domains=(), **fields):
    project = ResearchProjectFactory(start_date=start, end_date=end, **fields)
    for slug in domains:
        project.domains.add(Domain.objects.get(slug=slug))
    return project


def test_the_beat_runs_the_alerts_every_day_at_half_past_five():
    entry = settings.CELERY_BEAT_SCHEDULE["project-alerts"]
    assert entry["task"] == "ipip.tasks.project_alerts_task"
    assert entry["schedule"] == crontab(hour=5, minute=30)
    assert settings.CELERY_TIMEZONE == "UTC"
    assert settings.IPIP_ALERT_LEAD_DAYS == 30


def test_milestones_of_a_project():
    project = ResearchProjectFactory.build(start_date=D, end_date=D + timedelta(days=101))
    assert milestones(project, lead=30) == {
        "start": D,
        "midterm": D + timedelta(days=50),
        "ending": D + timedelta(days=71),
        "after": D + timedelta(days=102),
    }
    assert milestones(ResearchProjectFactory.build(start_date=None, end_date=None), lead=30) == {}


@pytest.mark.django_db
def test_a_second_run_the_same_day_sends_nothing(make_member):
    member = make_member()
    project = _project(start=D, end=D + timedelta(days=400))
    Follow.objects.create(member=member, project=project)
    assert project_alerts_run(today=D) == [D]
    assert project_alerts_run(today=D) == []
    assert _alerts(member) == [f"alert:{project.pk}:start"]
    alert = ProjectAlert.objects.get()
    assert (alert.kind, alert.due_on, alert.recipients) == ("start", D, 1)
    assert alert.sent_at is not None
    # Even were the run record lost, the alert row says it was sent.
    AlertRun.objects.all().delete()
    project_alerts_run(today=D)
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_after_ten_days_down_each_missed_alert_is_sent_once_in_order(make_member, settings):
    settings.IPIP_ALERT_LEAD_DAYS = 3
    member = make_member()
    # start D+1, mid-term D+5, ending D+6 (3 days before D+9), after D+10 (holders only).
    project = _project(start=D + timedelta(days=1), end=D + timedelta(days=9))
    Follow.objects.create(member=member, project=project)
    AlertRun.objects.create(day=D)
    covered = project_alerts_run(today=D + timedelta(days=10))
    assert covered == [D + timedelta(days=n) for n in range(1, 11)]
    assert _alerts(member) == [
        f"alert:{project.pk}:start",
        f"alert:{project.pk}:midterm",
        f"alert:{project.pk}:ending",
    ]
    assert list(ProjectAlert.objects.order_by("pk").values_list("kind", "due_on")) == [
        ("start", D + timedelta(days=1)),
        ("midterm", D + timedelta(days=5)),
        ("ending", D + timedelta(days=6)),
        ("after", D + timedelta(days=10)),
    ]
    assert project_alerts_run(today=D + timedelta(days=10)) == []
    assert len(_alerts(member)) == 3


@pytest.mark.django_db
def test_catch_up_is_bounded(make_member):
    AlertRun.objects.create(day=D - timedelta(days=365))
    days = project_alerts_run(today=D)
    assert days[0] == D - timedelta(days=60)
    assert days[-1] == D


@pytest.mark.django_db
def test_a_member_following_cybercrime_hears_nothing_of_a_migration_project(make_member):
    member = make_member()
    follow_domains_save(actor=member, domains=[Domain.objects.get(slug="cybercrime")])
    migration = _project(start=D, domains=["migration-border-management"])
    cyber = _project(start=D, domains=["cybercrime", "migration-border-management"])
    project_alerts_run(today=D)
    assert _alerts(member) == [f"alert:{cyber.pk}:start"]
    assert not Notification.objects.filter(target_id=migration.pk).exists()


@pytest.mark.django_db
def test_following_a_project_and_its_domain_tells_once(make_member):
    member = make_member()
    project = _project(start=D, domains=["cybercrime"])
    Follow.objects.create(member=member, project=project)
    Follow.objects.create(member=member, domain=Domain.objects.get(slug="cybercrime"))
    project_alerts_run(today=D)
    assert len(_alerts(member)) == 1


@pytest.mark.django_db
def test_no_alert_reaches_a_member_not_in_good_standing(make_member):
    suspended = make_member(suspended_until=timezone.now() + timedelta(days=3))
    inactive = make_member(is_active=False)
    deleted = make_member(deleted_at=timezone.now())
    fine = make_member()
    project = _project(start=D)
    for member in (suspended, inactive, deleted, fine):
        Follow.objects.create(member=member, project=project)
    project_alerts_run(today=D)
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [fine.pk]
    assert ProjectAlert.objects.get().recipients == 1


@pytest.mark.django_db
def test_lea_members_follow_their_expertise_until_they_choose(make_member):
    cyber = Domain.objects.get(slug="cybercrime")
    lea = make_member(AffiliationType.LEA)
    unverified_lea = make_member(AffiliationType.LEA, unverified=True)
    researcher = make_member(AffiliationType.RESEARCH)
    chose_nothing = make_member(AffiliationType.LEA)
    for member in (lea, unverified_lea, researcher, chose_nothing):
        member.domains.add(cyber)
    follow_domains_save(actor=chose_nothing, domains=[])
    project = _project(start=D, domains=["cybercrime"])
    project_alerts_run(today=D)
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [lea.pk]
    # Following anything ends the default.
    Follow.objects.create(member=lea, project=_project(start=D - timedelta(days=5)))
    second = _project(start=D + timedelta(days=1), domains=["cybercrime"])
    project_alerts_run(today=D + timedelta(days=1))
    assert not Notification.objects.filter(target_id=second.pk).exists()
    assert project.pk != second.pk


@pytest.mark.django_db
def test_immediate_members_get_an_email_and_digest_members_wait(
    make_member, django_capture_on_commit_callbacks
):
    immediate = make_member(email="now@example.org", email_frequency=EmailFrequency.IMMEDIATE)
    daily = make_member(email="daily@example.org", email_frequency=EmailFrequency.DAILY)
    project = _project(start=D, acronym="ALERTME")
    for member in (immediate, daily):
        Follow.objects.create(member=member, project=project)
    with django_capture_on_commit_callbacks(execute=True):
        project_alerts_run(today=D)
    assert [message.to for message in mail.outbox] == [["now@example.org"]]
    assert "ALERTME starts today" in mail.outbox[0].subject
    pending = Notification.objects.get(recipient=daily)
    assert pending.emailed_at is None
    assert pending.subject == "ALERTME starts today"
    assert pending.link == f"/ipup/projects/{project.pk}/"


@pytest.mark.django_db
def test_after_the_end_holders_are_reminded_of_the_checklist(make_member):
    holder, follower, suspended_holder = make_member(), make_member(), make_member()
    with_checklist = _project(start=D - timedelta(days=300), end=D - timedelta(days=1))
    without = _project(start=D - timedelta(days=300), end=D - timedelta(days=1))
    ProjectChecklist.objects.create(
        project=with_checklist, template=ChecklistTemplate.objects.get(version=1)
    )
    for project in (with_checklist, without):
        assign_perm("ipup.hold_project", holder, project)
        Follow.objects.create(member=follower, project=project)
    assign_perm("ipup.hold_project", suspended_holder, with_checklist)
    suspended_holder.suspended_until = timezone.now() + timedelta(days=1)
    suspended_holder.save()
    project_alerts_run(today=D)
    assert _alerts(holder) == [f"alert:{with_checklist.pk}:after"]
    assert "after-project checklist" in Notification.objects.get(recipient=holder).subject
    assert _alerts(follower) == []
    assert _alerts(suspended_holder) == []


def _due_projects(count, followers):
    cyber = Domain.objects.get(slug="cybercrime")
    for _ in range(count):
        project = _project(start=D, end=D + timedelta(days=200), domains=["cybercrime"])
        for member in followers:
            Follow.objects.create(member=member, project=project)
    return cyber


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 50])
def test_the_number_of_queries_does_not_grow_with_the_projects(
    count, make_member, django_assert_max_num_queries
):
    members = [make_member(email_frequency=EmailFrequency.IMMEDIATE) for _ in range(3)]
    lea = make_member(AffiliationType.LEA)
    lea.domains.add(_due_projects(count, members[:2]))
    follow_domains_save(actor=members[2], domains=[Domain.objects.get(slug="cybercrime")])
    with django_assert_max_num_queries(17):
        project_alerts_run(today=D)
    assert Notification.objects.count() == count * 4


@pytest.mark.django_db
def test_the_task_covers_today(make_member):
    member = make_member()
    project = _project(start=timezone.localdate())
    Follow.objects.create(member=member, project=project)
    assert project_alerts_task() == 1
    assert AlertRun.objects.get().day == timezone.localdate()
    assert len(_alerts(member)) == 1


@pytest.mark.django_db
def test_the_follower_reads_the_alert_in_their_notifications(client_for, make_member):
    member = make_member()
    project = _project(start=D, acronym="SHOWN")
    Follow.objects.create(member=member, project=project)
    project_alerts_run(today=D)
    page = client_for(member).get(reverse("community:notification-list"))
    assert "SHOWN starts today" in page.content.decode()


def test_the_readme_lists_every_beat_entry():
    readme = (settings.BASE_DIR / "README.md").read_text()
    section = readme[readme.index("celery -A ileanet beat") :]
    for name in settings.CELERY_BEAT_SCHEDULE:
        assert f"`{name}`" in section
    assert "`ipip.tasks.project_alerts_task`, daily 05:30" in section
