"""Knowledge Factory items and their workflow (SPEC §5), through the pages: submit, review
(changes, resubmission, rejection, publication), the reviewer's edits, the history, the audit
log, the notifications and what their e-mails say; bad input; the queue and "My submissions"."""

from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from community.models import AuditLogEntry, Domain, EmailFrequency, Notification
from knowledge_factory.models import Item, ItemEvent
from knowledge_factory.services.items import item_request_changes

from .item_helpers import make_knowledge_manager, pdf, published, submit

SUBMIT = reverse("knowledge_factory:submit")
QUEUE = reverse("knowledge_factory:review-queue")
MINE = reverse("knowledge_factory:my-items")

pytestmark = pytest.mark.django_db


@pytest.fixture
def knowledge_manager(make_member):
    return make_knowledge_manager(make_member)


@pytest.fixture
def lea_knowledge_manager(make_member):
    return make_knowledge_manager(make_member, lea=True)


def _form(**fields):
    data = {
        "type": "report",
        "title": "Countering online fraud",
        "summary": "A survey of practice across Europe.",
        "body": "## Findings\n\nMore *training*.",
        "tier": "members",
        "tags": "Fraud,  Online Fraud ,fraud",
        "domains": [Domain.objects.get(slug="cybercrime").pk],
        "source_url": "https://example.org/report",
    }
    data.update(fields)
    return data


def _review(client, item, action, note=""):
    return client.post(
        reverse("knowledge_factory:item-review", args=[item.pk]), {"action": action, "note": note}
    )


@pytest.fixture
def followers_task():
    with mock.patch("knowledge_factory.tasks.item_followers_notify_task.delay") as delay:
        yield delay


def test_a_member_submits_and_the_knowledge_manager_asks_for_changes_then_publishes(
    client_for, researcher, knowledge_manager, followers_task, django_capture_on_commit_callbacks
):
    # given a researcher's submission through the page
    author = client_for(researcher)
    response = author.post(SUBMIT, _form(file=pdf()))
    assert response.status_code == 302
    item = Item.objects.get()
    assert item.status == "submitted"
    assert item.author == researcher
    assert sorted(item.tags.names()) == ["fraud", "online fraud"]
    assert "<h2>Findings</h2>" in item.body_html
    assert item.search_vector is not None
    assert item.file.name.endswith(".pdf")
    # the knowledge manager is told, and finds it in the queue
    assert Notification.objects.filter(recipient=knowledge_manager, target_id=item.pk).exists()
    reviewer = client_for(knowledge_manager)
    assert "Countering online fraud" in reviewer.get(QUEUE).content.decode()

    # when the reviewer asks for changes with a note
    response = _review(reviewer, item, "changes", "Please add the date of the source.")
    assert response.status_code == 302

    # then the author is told, reads the note and sends it back with changes
    item.refresh_from_db()
    assert item.status == "changes"
    told = Notification.objects.get(recipient=researcher)
    assert told.note == "Please add the date of the source."
    assert "Countering online fraud" in told.subject
    assert "Please add the date of the source." in author.get(MINE).content.decode()
    edit = reverse("knowledge_factory:item-edit", args=[item.pk])
    response = author.post(edit, _form(published_on="2025-05-01", action="resubmit"))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "submitted"
    assert str(item.published_on) == "2025-05-01"
    assert Notification.objects.filter(recipient=knowledge_manager).count() == 2
    page = reviewer.get(QUEUE).content.decode()
    assert "resubmitted" in page

    # and the reviewer publishes it: the author is told and followers after the commit
    with django_capture_on_commit_callbacks(execute=True):
        response = _review(reviewer, item, "publish")
    item.refresh_from_db()
    assert item.status == "published"
    assert item.published_at is not None
    assert item.reviewed_by == knowledge_manager
    followers_task.assert_called_once_with(item.pk)
    assert Notification.objects.filter(recipient=researcher).count() == 2
    actions = list(item.events.values_list("action", flat=True))
    assert actions == ["submitted", "changes", "edited", "resubmitted", "published"]
    audited = set(
        AuditLogEntry.objects.filter(target_id=str(item.pk)).values_list("action", flat=True)
    )
    assert {
        "knowledge.item_submit",
        "knowledge.item_request_changes",
        "knowledge.item_update",
        "knowledge.item_resubmit",
        "knowledge.item_publish",
    } <= audited
    # the history is the author's and the reviewers' only
    assert 'id="history"' in author.get(item.get_absolute_url()).content.decode()


def test_a_rejection_needs_a_reason_which_the_author_reads(
    client_for, researcher, knowledge_manager
):
    item = submit(researcher)
    reviewer = client_for(knowledge_manager)

    response = _review(reviewer, item, "reject", "   ")

    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "submitted"

    _review(reviewer, item, "reject", "Out of the network's scope.")

    item.refresh_from_db()
    assert item.status == "rejected"
    assert item.review_note == "Out of the network's scope."
    assert ItemEvent.objects.filter(item=item, action="rejected").get().note == item.review_note
    assert AuditLogEntry.objects.filter(action="knowledge.item_reject").exists()
    assert Notification.objects.get(recipient=researcher).note == "Out of the network's scope."
    assert "Out of the network" in client_for(researcher).get(MINE).content.decode()


def test_asking_for_changes_needs_a_note(knowledge_manager, researcher):
    from django.core.exceptions import ValidationError

    item = submit(researcher)
    with pytest.raises(ValidationError):
        item_request_changes(actor=knowledge_manager, item=item, note="")


def test_the_reviewer_edits_tags_and_metadata_and_the_history_keeps_before_and_after(
    client_for, researcher, knowledge_manager
):
    item = submit(researcher, tags=["drones"])
    reviewer = client_for(knowledge_manager)
    edit = reverse("knowledge_factory:item-edit", args=[item.pk])
    assert reviewer.get(edit).status_code == 200

    response = reviewer.post(
        edit,
        _form(title=item.title, summary=item.summary, body=item.body, type="study",
              tags="Drones, counter-UAS", tier="public", source_url=""),
    )  # fmt: skip

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.type == "study"
    assert item.tier == "public"
    assert sorted(item.tags.names()) == ["counter-uas", "drones"]
    event = item.events.get(action="edited")
    assert event.actor == knowledge_manager
    assert event.changes["type"] == ["article", "study"]
    assert event.changes["tags"] == [["drones"], ["counter-uas", "drones"]]
    assert event.changes["domains"] == [[], ["cybercrime"]]
    assert "title" not in event.changes
    assert item.status == "submitted"  # an edit is not a decision


def test_an_author_cannot_edit_a_published_item_but_a_reviewer_can(
    client_for, researcher, knowledge_manager
):
    item = published(researcher, knowledge_manager)
    edit = reverse("knowledge_factory:item-edit", args=[item.pk])

    assert client_for(researcher).get(edit).status_code == 404
    assert client_for(knowledge_manager).get(edit).status_code == 200


def test_a_reviewer_unpublishes_with_a_reason_and_the_author_may_resubmit(
    client_for, researcher, knowledge_manager
):
    item = published(researcher, knowledge_manager)

    _review(client_for(knowledge_manager), item, "unpublish", "The source link is broken.")

    item.refresh_from_db()
    assert item.status == "changes"
    assert item.published_at is None
    assert item.events.filter(action="unpublished").exists()
    subjects = list(
        Notification.objects.filter(recipient=researcher).values_list("subject", flat=True)
    )
    assert any("unpublished" in subject for subject in subjects)


def test_an_author_withdraws_their_submission(client_for, researcher, knowledge_manager):
    item = submit(researcher)

    response = _review(client_for(researcher), item, "withdraw")

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "withdrawn"
    assert AuditLogEntry.objects.filter(action="knowledge.item_withdraw").exists()
    assert "Drone detection" not in client_for(knowledge_manager).get(QUEUE).content.decode()


def test_an_author_cannot_decide_on_their_own_item(client_for, researcher):
    item = submit(researcher)

    response = _review(client_for(researcher), item, "publish")

    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == "submitted"


def test_an_lea_only_item_is_never_named_in_e_mails(
    client_for,
    lea_member,
    lea_knowledge_manager,
    knowledge_manager,
    django_capture_on_commit_callbacks,
):
    # given an LEA author and an LEA knowledge manager who want immediate e-mails
    for member in (lea_member, lea_knowledge_manager, knowledge_manager):
        member.email_frequency = EmailFrequency.IMMEDIATE
        member.save(update_fields=["email_frequency"])

    # when the LEA member submits an LEA-only item and the reviewer asks for changes
    with django_capture_on_commit_callbacks(execute=True):
        item = submit(lea_member, title="Operation Nightjar lessons", tier="lea")
    with django_capture_on_commit_callbacks(execute=True):
        _review(client_for(lea_knowledge_manager), item, "changes", "Remove Nightjar's informant.")

    # then only the LEA reviewer was told (the other cannot read it), and no e-mail names it
    assert not Notification.objects.filter(recipient=knowledge_manager).exists()
    assert {m.to[0] for m in mail.outbox} == {lea_member.email, lea_knowledge_manager.email}
    for message in mail.outbox:
        assert "Nightjar" not in message.subject
        assert "Nightjar" not in message.body
        assert "LEA-only" in message.subject


def test_a_member_cannot_submit_an_lea_only_item_unless_lea(client_for, researcher, lea_member):
    response = client_for(researcher).post(SUBMIT, _form(tier="lea"))

    assert response.status_code == 400
    assert not Item.objects.exists()
    assert client_for(lea_member).post(SUBMIT, _form(tier="lea")).status_code == 302


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"tags": "x" * 10_000}, "tags", "at most 50 characters"),
        ({"tags": ", ".join(f"t{i}" for i in range(2000))}, "tags", "At most 10 tags."),
        ({"title": "Nul\x00title"}, "title", "Null characters are not allowed."),
        ({"source_url": "javascript:alert(1)"}, "source_url", "Enter a valid URL."),
        ({"file": "not a pdf"}, "file", "not the file type its name says"),
        ({"file": "exe"}, "file", "this type of file is not allowed"),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_is_saved(
    client_for, researcher, fields, field, message
):
    if fields.get("file") == "not a pdf":
        fields = {"file": pdf(content=b"MZ\x90\x00 not a pdf")}
    elif fields.get("file") == "exe":
        fields = {"file": pdf(name="tool.exe", content=b"MZ\x90\x00")}

    response = client_for(researcher).post(SUBMIT, _form(**fields))

    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert not Item.objects.exists()
    # what was typed is kept
    assert "Countering online fraud" in response.content.decode() or field == "title"


def test_the_file_is_replaced_and_removed_on_edit(
    client_for, researcher, django_capture_on_commit_callbacks
):
    item = submit(researcher, file=pdf("first.pdf"))
    client = client_for(researcher)
    edit = reverse("knowledge_factory:item-edit", args=[item.pk])

    first = item.file.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit, _form(file=pdf("second.pdf")))
    assert not item.file.storage.exists(first)
    item.refresh_from_db()
    assert item.file.name.rsplit("/", 1)[-1].startswith("second")
    assert item.events.get(action="edited").changes["file"][0].startswith("first")

    client.post(edit, _form(remove_file="on"))
    item.refresh_from_db()
    assert not item.file


def test_the_queue_and_my_submissions_cost_the_same_for_more_items(
    client_for, researcher, knowledge_manager, django_assert_max_num_queries
):
    reviewer, author = client_for(knowledge_manager), client_for(researcher)

    def grow(n):
        for i in range(n):
            item = submit(researcher, title=f"Item {n}-{i}", tags=["a", "b"])
            if i % 2:
                item_request_changes(actor=knowledge_manager, item=item, note="More.")

    grow(2)
    reviewer.get(QUEUE)
    author.get(MINE)
    with django_assert_max_num_queries(20) as queue_small:
        reviewer.get(QUEUE)
    with django_assert_max_num_queries(20) as mine_small:
        author.get(MINE)
    grow(20)
    with django_assert_max_num_queries(len(queue_small)):
        assert reviewer.get(QUEUE).status_code == 200
    with django_assert_max_num_queries(len(mine_small)):
        assert author.get(MINE).status_code == 200


def test_the_queue_counts_what_waits(client_for, researcher, knowledge_manager):
    submit(researcher)
    submit(researcher, title="Second")
    item_request_changes(actor=knowledge_manager, item=submit(researcher, title="Third"), note="x")

    response = client_for(knowledge_manager).get(QUEUE)

    assert response.context["counts"] == {"waiting": 2, "changes": 1}


# --- State-of-the-art study final reports (from screening) ---------------------------------------


@pytest.fixture
def coordinator(make_member):
    from community.models import AffiliationType
    from community.roles import Role

    return make_member(
        AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR], email="coordinator@example.org"
    )


def _study(status="completed"):
    from ipup.models import SotaRecommendation
    from tests.ipup.factories import NeedFactory

    need = NeedFactory(title="Detecting deepfakes")
    return SotaRecommendation.objects.create(
        need=need,
        topic="Deepfake detection tools",
        rationale="No project answers it.",
        scope="Tools for investigators.",
        status=status,
        final_report_url="https://example.org/final.pdf",
    )


def test_a_coordinator_adds_a_completed_studys_final_report(client_for, coordinator):
    study = _study()
    client = client_for(coordinator)
    screening = reverse("ipup:need-screening", args=[study.need_id])
    add = f"{SUBMIT}?sota={study.pk}"
    assert add in client.get(screening).content.decode()

    form = client.get(add).context["form"]
    assert form.initial["type"] == "sota_report"
    assert form.initial["title"] == "Deepfake detection tools"
    assert form.initial["need"] == study.need_id
    response = client.post(
        add,
        _form(type="sota_report", title="Deepfake detection tools", need=study.need_id, tags=""),
    )

    assert response.status_code == 302
    item = Item.objects.get()
    assert item.sota_recommendation == study
    assert item.need_id == study.need_id
    page = client.get(screening).content.decode()
    assert reverse("knowledge_factory:item", args=[item.pk]) in page
    assert add not in page
    # a second report for the same study is refused
    again = client.get(add)
    assert again.status_code == 302
    assert Item.objects.count() == 1


def test_only_coordinators_add_a_final_report_and_only_of_a_completed_study(
    client_for, coordinator, researcher
):
    study = _study()
    unfinished = _study(status="in_progress")

    assert client_for(researcher).get(f"{SUBMIT}?sota={study.pk}").status_code == 404
    assert client_for(coordinator).get(f"{SUBMIT}?sota=999999").status_code == 404
    assert client_for(coordinator).get(f"{SUBMIT}?sota=99999999999999").status_code == 404
    assert client_for(coordinator).get(f"{SUBMIT}?sota={unfinished.pk}").status_code == 302
    response = client_for(researcher).post(f"{SUBMIT}?sota={study.pk}", _form())
    assert response.status_code == 404
    assert not Item.objects.exists()


# --- The home page ------------------------------------------------------------------------------


def test_the_home_page_shows_submissions_to_review_and_my_submissions(
    client_for, researcher, knowledge_manager, lea_member
):
    submit(researcher)
    submit(lea_member, title="LEA only", tier="lea")

    reviewer_home = client_for(knowledge_manager).get(reverse("community:home")).content.decode()
    author_home = client_for(researcher).get(reverse("community:home")).content.decode()

    assert "1 Knowledge Factory submission to review" in reviewer_home  # not the LEA-only one
    assert QUEUE in reviewer_home
    assert MINE in author_home
    assert QUEUE not in author_home


# --- Personal data ------------------------------------------------------------------------------


def _export(client) -> dict:
    import io
    import json
    import zipfile

    response = client.get(reverse("community:personal-data-export"))
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: json.loads(archive.read(name)) for name in archive.namelist()}


def test_the_export_holds_my_items_and_their_history(client_for, researcher, knowledge_manager):
    item = submit(researcher, tags=["drones"])
    item_request_changes(actor=knowledge_manager, item=item, note="Add sources.")
    submit(knowledge_manager, title="Not mine")

    files = _export(client_for(researcher))

    assert [(i["title"], i["tags"]) for i in files["knowledge_items.json"]] == [
        (item.title, ["drones"])
    ]
    history = files["knowledge_item_history.json"]
    assert [(h["action"], h["by_you"], h["note"]) for h in history] == [
        ("submitted", True, ""),
        ("changes", False, "Add sources."),
    ]


def test_deleting_my_account_keeps_my_items_and_erases_follows_and_my_feed(
    researcher, knowledge_manager
):
    from taggit.models import Tag

    from community.services.personal_data import account_delete
    from knowledge_factory.models import Follow, ReaderFeed

    item = published(researcher, knowledge_manager, tags=["drones"])
    Follow.objects.create(member=researcher, tag=Tag.objects.get(name="drones"))
    ReaderFeed.objects.create(member=researcher, token="secret-token")

    pseudonym = account_delete(actor=researcher, member=researcher)

    item.refresh_from_db()
    assert item.author.handle == pseudonym
    assert not Follow.objects.filter(member=researcher).exists()
    assert not ReaderFeed.objects.filter(member=researcher).exists()


# --- Admin ----------------------------------------------------------------------------------------


def test_the_admin_publishes_through_the_service_and_hides_lea_only_items(
    client_for, researcher, lea_member, knowledge_manager
):
    item = submit(researcher)
    lea_item = submit(lea_member, title="LEA only", tier="lea")
    client = client_for(knowledge_manager)
    changelist = reverse("admin:knowledge_factory_item_changelist")

    page = client.get(changelist).content.decode()
    assert item.title in page
    assert "LEA only" not in page
    assert (
        client.get(reverse("admin:knowledge_factory_item_change", args=[lea_item.pk])).status_code
        == 302  # the admin's "does not exist" redirect
    )
    client.post(changelist, {"action": "publish", "_selected_action": [item.pk]})

    item.refresh_from_db()
    assert item.status == "published"
    assert AuditLogEntry.objects.filter(action="knowledge.item_publish").exists()
    for name in ("follow", "readerfeed", "newsletter", "item"):
        assert client.get(reverse(f"admin:knowledge_factory_{name}_changelist")).status_code == 200


def test_an_admin_edit_goes_through_the_service_and_its_history(
    client_for, researcher, knowledge_manager
):
    item = submit(researcher, tags=["drones"])
    client = client_for(knowledge_manager)
    url = reverse("admin:knowledge_factory_item_change", args=[item.pk])
    data = {
        "type": "study", "title": "Renamed", "summary": item.summary, "body": item.body,
        "source_url": "", "published_on": "", "domains": [], "tags": "drones, uav",
        "tier": "members", "project": "", "need": "",
        "events-TOTAL_FORMS": "1", "events-INITIAL_FORMS": "1", "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
    }  # fmt: skip

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    item.refresh_from_db()
    assert item.title == "Renamed"
    assert sorted(item.tags.names()) == ["drones", "uav"]
    assert item.events.get(action="edited").changes["title"] == [
        "Drone detection at borders",
        "Renamed",
    ]
