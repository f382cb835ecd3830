"""Community news: who reads it, who publishes it, and its e-mails — to the right members,
once each, even when the sending is retried or interrupted."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from community.models import AffiliationType, DeliveryStatus, NewsDelivery, NewsPost
from community.services.news import news_email, news_publish
from community.tasks import news_email_task
from tests.community.factories import UserFactory
from tests.mail_backends import FlakyBackend


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.FlakyBackend"
    FlakyBackend.refused, FlakyBackend.fail_after = set(), None
    yield FlakyBackend
    FlakyBackend.refused, FlakyBackend.fail_after = set(), None


def _publish(manager, **fields):
    return news_publish(
        actor=manager,
        **{"title": "Workshop on drones", "body": "**Save the date.**", "tier": "members",
           "email_to": "nobody"} | fields,
    )  # fmt: skip


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_lea_only_news_is_invisible_to_a_researcher_everywhere(
    client_for, manager, lea_member, researcher
):
    news = _publish(manager, title="Operational alert", tier="lea")
    lea, other = client_for(lea_member), client_for(researcher)

    assert "Operational alert" in lea.get(reverse("community:home")).content.decode()
    assert "Operational alert" in lea.get(reverse("community:news-list")).content.decode()
    assert lea.get(reverse("community:news-detail", args=[news.pk])).status_code == 200
    for url in (reverse("community:home"), reverse("community:news-list")):
        assert "Operational alert" not in other.get(url).content.decode()
    assert other.get(reverse("community:news-detail", args=[news.pk])).status_code == 404


def test_markdown_news_is_sanitised(manager, client_for, lea_member):
    news = _publish(manager, body="<script>alert(1)</script> [x](javascript:alert(1)) **ok**")

    html = client_for(lea_member).get(reverse("community:news-detail", args=[news.pk])).content

    assert b"<script>alert" not in html
    assert b'href="javascript:' not in html
    assert b"<strong>ok</strong>" in html


@pytest.mark.parametrize("role", ["lea_member", "researcher", "unverified_member"])
def test_only_community_managers_publish(client_for, request, role):
    actor = request.getfixturevalue(role)
    client = client_for(actor)

    page = client.get(reverse("community:news-create"))
    post = client.post(
        reverse("community:news-create"),
        {"title": "T", "body": "B", "tier": "members", "email_to": "nobody"},
    )

    assert page.status_code == 404
    assert post.status_code == 404
    assert not NewsPost.objects.exists()
    with pytest.raises(PermissionDenied):
        _publish(actor)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"tier": "secret"}, "tier"),
        ({"email_to": "segment"}, "__all__"),
        ({"email_to": "segment", "segment_countries": ["XX"]}, "segment_countries"),
    ],
)
def test_bad_news_is_refused_and_nothing_stored(client_for, manager, data, field):
    fields = {"title": "T", "body": "B", "tier": "members", "email_to": "nobody"} | data

    response = client_for(manager).post(reverse("community:news-create"), fields)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not NewsPost.objects.exists()
    assert mail.outbox == []


def test_news_emailed_to_all_reaches_exactly_those_who_can_read_it(
    django_capture_on_commit_callbacks, manager, lea_member, researcher, unverified_member
):
    off = UserFactory(affiliation_type=AffiliationType.LEA, email_frequency="off")

    with django_capture_on_commit_callbacks(execute=True):
        news = _publish(manager, tier="lea", email_to="all")

    # LEA members and the managers; not the researcher, the unverified, or who turned e-mail off
    assert _recipients() == sorted([lea_member.email, manager.email])
    assert off.email not in _recipients()
    assert "Workshop on drones" in mail.outbox[0].subject
    assert reverse("community:news-detail", args=[news.pk]) in mail.outbox[0].body
    assert researcher.email not in _recipients()
    assert unverified_member.email not in _recipients()


def test_news_emailed_to_a_segment(django_capture_on_commit_callbacks, manager):
    belgian = UserFactory(affiliation_type=AffiliationType.LEA, country="BE")
    UserFactory(affiliation_type=AffiliationType.LEA, country="FR")
    UserFactory(affiliation_type=AffiliationType.RESEARCH, country="BE")

    with django_capture_on_commit_callbacks(execute=True):
        _publish(
            manager, email_to="segment", segment_countries=["BE"], segment_affiliations=["lea"]
        )

    assert _recipients() == [belgian.email]


def test_news_is_sent_once_per_recipient_when_the_task_is_retried(manager):
    members = UserFactory.create_batch(4)
    news = _publish(manager, email_to="all")  # not on commit: the task is run by hand

    news_email_task.delay(news.pk)
    news_email_task.delay(news.pk)

    assert _recipients() == sorted([m.email for m in members] + [manager.email])
    assert NewsDelivery.objects.filter(news=news).count() == 5


def test_an_interrupted_sending_finishes_the_rest_and_records_refused_addresses(manager, flaky):
    members = UserFactory.create_batch(5)
    bad = UserFactory(email="gone@example.org")
    news = _publish(manager, email_to="all")
    flaky.refused = {bad.email}

    # when: the mail server goes away after two e-mails, then the task is retried
    flaky.fail_after = 2
    with pytest.raises(OSError, match="Connection"):
        news_email(news_id=news.pk)
    flaky.fail_after = None
    news_email(news_id=news.pk)

    # then: everyone got exactly one e-mail, and the refused address is recorded
    assert _recipients() == sorted([m.email for m in members] + [manager.email])
    assert NewsDelivery.objects.get(recipient=bad).status == DeliveryStatus.FAILED


def test_a_member_who_lost_access_before_the_sending_is_skipped(manager, lea_member):
    news = _publish(manager, tier="lea", email_to="all")
    NewsDelivery.objects.create(news=news, recipient=lea_member)
    lea_member.affiliation_verified_at = None
    lea_member.save(update_fields=["affiliation_verified_at"])

    news_email(news_id=news.pk)

    assert lea_member.email not in _recipients()
    assert NewsDelivery.objects.get(recipient=lea_member).status == DeliveryStatus.SKIPPED


def test_the_news_page_costs_the_same_for_many_items(
    client_for, manager, lea_member, django_assert_max_num_queries
):
    for i in range(15):
        _publish(manager, title=f"News {i}")
    client = client_for(lea_member)
    client.get(reverse("community:news-list"))

    with django_assert_max_num_queries(9):
        assert client.get(reverse("community:news-list")).status_code == 200
