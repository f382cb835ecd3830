"""Role level and organisation weigh in needs surveys (SPEC §3.4): a member sets them until
their affiliation is verified (the verification confirms them); afterwards a change waits for a
community manager, who confirms or declines it. Black-box: the profile form, the manager's
pages, the database, the audit log and the outbox."""

import pytest
from django.core import mail
from django.urls import reverse

from community.models import AffiliationType, AuditLogEntry, Organisation, RoleLevel, User
from tests.community.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _profile_data(member, **overrides):
    data = {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "country": member.country.code,
        "role_level": member.role_level,
        "organisation": member.organisation_id or "",
        "unlisted_organisation": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def ask(client_for):
    """``ask(member, **fields)``: the member posts their profile form with ``fields``."""

    def post(member, **fields):
        return client_for(member).post(
            reverse("community:profile-edit"), _profile_data(member, **fields), follow=True
        )

    return post


@pytest.fixture
def officer(make_member):
    """A verified field officer of a listed police force."""
    return make_member(
        AffiliationType.LEA,
        email="field.officer@example.org",
        role_level=RoleLevel.FIELD,
        organisation=OrganisationFactory(name="Police nationale", country="FR"),
    )


@pytest.fixture
def decide_change(django_capture_on_commit_callbacks, client_for):
    """``decide_change(actor, member, "confirm" | "decline", **data)``: POST as ``actor``,
    following the redirect; the member's e-mail goes out on commit."""

    def post(actor, member, decision, **data):
        name = "member-change-confirm" if decision == "confirm" else "member-change-decline"
        with django_capture_on_commit_callbacks(execute=True):
            return client_for(actor).post(
                reverse(f"community:{name}", args=[member.pk]), data, follow=True
            )

    return post


# --- Before verification: the member's word, confirmed by the verification -------------------


def test_an_unverified_member_sets_role_level_and_organisation(ask, make_member):
    member = make_member(AffiliationType.LEA, unverified=True, role_level=RoleLevel.FIELD)
    force = OrganisationFactory(name="Bundespolizei", country="DE")

    response = ask(member, role_level=RoleLevel.STRATEGIC, organisation=force.pk)

    assert response.status_code == 200
    member.refresh_from_db()
    assert (member.role_level, member.organisation) == (RoleLevel.STRATEGIC, force)
    assert member.pending_change_requested_at is None
    assert "Waiting for a community manager" not in response.content.decode()


def test_an_unverified_member_names_an_unlisted_organisation_and_the_manager_adds_it(
    ask, client_for, make_member, manager
):
    # given: an unverified member whose organisation is not in the list
    member = make_member(AffiliationType.LEA, unverified=True, country="PT")
    ask(member, organisation="", unlisted_organisation="Polícia Judiciária Example")
    member.refresh_from_db()
    assert (member.organisation, member.unlisted_organisation) == (
        None,
        "Polícia Judiciária Example",
    )
    assert not Organisation.objects.filter(name__contains="Judiciária").exists()

    # and: the verification list shows the name, and leads to a page proposing to add it
    manager_client = client_for(manager)
    listed = manager_client.get(reverse("community:verification-list")).content.decode()
    assert "Polícia Judiciária Example" in listed
    verify_url = reverse("community:verification-verify", args=[member.pk])
    assert f'href="{verify_url}"' in listed
    page = manager_client.get(verify_url)
    assert page.context["form"]["new_name"].value() == "Polícia Judiciária Example"

    # when: the manager verifies, adding the organisation
    response = manager_client.post(
        verify_url,
        {"new_name": "Polícia Judiciária Example", "new_country": "PT", "new_type": "lea"},
    )

    # then: the member is verified into it; the organisation was created by the manager
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_affiliation_verified
    assert member.organisation.name == "Polícia Judiciária Example"
    assert member.unlisted_organisation == ""
    assert AuditLogEntry.objects.filter(action="organisation.create", actor=manager).exists()


def test_verifying_without_setting_an_unlisted_organisation_keeps_it_waiting(
    ask, client_for, make_member, manager
):
    member = make_member(AffiliationType.RESEARCH, unverified=True, organisation=None)
    ask(member, organisation="", unlisted_organisation="Example Lab")

    # when: the manager verifies with the one-click button (the organisation is not set)
    client_for(manager).post(reverse("community:verification-verify", args=[member.pk]))

    # then: the name is not lost: it waits among the changes to confirm
    member.refresh_from_db()
    assert member.is_affiliation_verified
    assert member.organisation is None
    assert member.unlisted_organisation == "Example Lab"
    assert member.pending_change_requested_at is not None


# --- After verification: asked for, not applied ----------------------------------------------


def test_a_verified_members_role_level_waits_for_a_manager_and_then_changes(
    ask, client_for, decide_change, officer, manager
):
    # when: a verified field officer gives themselves the strategic level
    response = ask(officer, role_level=RoleLevel.STRATEGIC)

    # then: their weight does not change; the request is recorded and shown to them
    assert response.status_code == 200
    officer.refresh_from_db()
    assert officer.role_level == RoleLevel.FIELD
    assert officer.pending_role_level == RoleLevel.STRATEGIC
    assert officer.pending_change_requested_at is not None
    page = response.content.decode()
    assert "waits for a community manager" in page
    assert "Waiting for a community manager" in page
    assert AuditLogEntry.objects.filter(action="member.change_request", actor=officer).exists()

    # and: the managers see it, counted on their home page and listed on the verifications
    manager_client = client_for(manager)
    home = manager_client.get(reverse("community:home"))
    assert home.context["attention"]["pending_changes"] == 1
    listed = manager_client.get(reverse("community:verification-list"))
    assert list(listed.context["changes"]) == [officer]
    assert f'id="change-{officer.pk}"' in listed.content.decode()

    # when: a manager confirms
    confirmed = decide_change(manager, officer, "confirm")

    # then: the role level is the one asked for, audited, and the member told by e-mail
    assert "change is confirmed" in confirmed.content.decode()
    officer.refresh_from_db()
    assert officer.role_level == RoleLevel.STRATEGIC
    assert (officer.pending_role_level, officer.pending_change_requested_at) == ("", None)
    entry = AuditLogEntry.objects.get(action="member.change_confirm")
    assert entry.actor == manager
    assert entry.data["changed"] == {"role_level": ["field", "strategic"]}
    (message,) = mail.outbox
    assert message.to == [officer.email]
    assert "confirmed" in message.subject
    assert "Strategic / top level" in message.body
    assert (
        manager_client.get(reverse("community:home")).context["attention"]["pending_changes"] == 0
    )


def test_a_declined_change_leaves_role_level_and_organisation(ask, decide_change, officer, manager):
    other = OrganisationFactory(name="Gendarmerie nationale", country="FR")
    ask(officer, role_level=RoleLevel.MANAGEMENT, organisation=other.pk)
    officer.refresh_from_db()
    assert officer.pending_organisation == other
    assert officer.organisation.name == "Police nationale"

    response = decide_change(
        manager, officer, "decline", reason="Your unit confirmed you are a field officer."
    )

    assert "change is declined" in response.content.decode()
    officer.refresh_from_db()
    assert officer.role_level == RoleLevel.FIELD
    assert officer.organisation.name == "Police nationale"
    assert officer.pending_change_requested_at is None
    assert officer.pending_organisation is None
    entry = AuditLogEntry.objects.get(action="member.change_decline")
    assert entry.reason == "Your unit confirmed you are a field officer."
    (message,) = mail.outbox
    assert "not accepted" in message.subject
    assert "Your unit confirmed you are a field officer." in message.body


def test_a_verified_member_asks_for_a_listed_organisation(ask, decide_change, officer, manager):
    other = OrganisationFactory(name="Gendarmerie nationale", country="FR")

    ask(officer, organisation=other.pk)
    officer.refresh_from_db()
    assert officer.organisation.name == "Police nationale"

    decide_change(manager, officer, "confirm")
    officer.refresh_from_db()
    assert officer.organisation == other
    assert officer.pending_organisation is None


def test_a_verified_members_unlisted_organisation_is_added_by_the_manager_on_confirming(
    ask, client_for, decide_change, officer, manager
):
    # given: a verified member asks for an organisation that is not listed
    ask(officer, organisation="", unlisted_organisation="Police municipale Example")
    officer.refresh_from_db()
    assert officer.unlisted_organisation == "Police municipale Example"
    assert officer.organisation.name == "Police nationale"
    assert not Organisation.objects.filter(name="Police municipale Example").exists()

    # when: the manager confirms without choosing it
    refused = decide_change(manager, officer, "confirm")

    # then: refused: the manager must choose or add it
    assert "is not listed: choose the organisation" in refused.content.decode()
    officer.refresh_from_db()
    assert officer.pending_change_requested_at is not None

    # when: the manager adds it (the confirmation page proposes the name)
    page = client_for(manager).get(reverse("community:member-change-confirm", args=[officer.pk]))
    assert page.context["form"]["new_name"].value() == "Police municipale Example"
    decide_change(
        manager,
        officer,
        "confirm",
        new_name="Police municipale Example",
        new_country="FR",
        new_type="lea",
    )

    # then: the member belongs to the organisation the manager created
    officer.refresh_from_db()
    assert officer.organisation.name == "Police municipale Example"
    assert officer.unlisted_organisation == ""
    assert officer.pending_change_requested_at is None


def test_asking_for_what_one_has_withdraws_the_request(ask, officer):
    ask(officer, role_level=RoleLevel.MANAGEMENT)

    ask(officer, role_level=RoleLevel.FIELD)

    officer.refresh_from_db()
    assert (officer.pending_role_level, officer.pending_change_requested_at) == ("", None)
    assert AuditLogEntry.objects.filter(action="member.change_withdraw").exists()


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"role_level": "general"}, "role_level"),
        ({"organisation": "999999"}, "organisation"),
        ({"organisation": "LISTED", "unlisted_organisation": "Both"}, "unlisted_organisation"),
    ],
)
def test_bad_role_level_or_organisation_is_refused_and_nothing_is_asked(
    client_for, officer, fields, error_field
):
    if fields.get("organisation") == "LISTED":
        fields["organisation"] = OrganisationFactory(name="Listed", country="FR").pk

    response = client_for(officer).post(
        reverse("community:profile-edit"), _profile_data(officer, **fields)
    )

    assert response.status_code == 200
    assert error_field in response.context["form"].errors
    officer.refresh_from_db()
    assert officer.pending_change_requested_at is None
    assert officer.role_level == RoleLevel.FIELD
    assert not Organisation.objects.filter(name="Both").exists()


# --- Who may decide ---------------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["confirm", "decline"])
def test_only_community_managers_decide_a_change(
    ask, decide_change, officer, make_member, decision
):
    ask(officer, role_level=RoleLevel.STRATEGIC)
    member = make_member(AffiliationType.LEA)

    response = decide_change(member, officer, decision, reason="Because I can.")

    assert response.status_code == 404
    officer.refresh_from_db()
    assert (officer.role_level, officer.pending_role_level) == (RoleLevel.FIELD, "strategic")
    assert not AuditLogEntry.objects.filter(action__startswith="member.change_c").exists()
    assert mail.outbox == []


def test_a_decline_with_a_reason_too_long_is_refused_and_nothing_changes(
    ask, decide_change, officer, manager
):
    ask(officer, role_level=RoleLevel.STRATEGIC)

    response = decide_change(manager, officer, "decline", reason="x" * 2001)

    assert "at most 2000 characters" in response.content.decode()
    officer.refresh_from_db()
    assert officer.pending_role_level == RoleLevel.STRATEGIC
    assert not AuditLogEntry.objects.filter(action="member.change_decline").exists()
    assert mail.outbox == []


def test_a_change_cannot_be_decided_twice(ask, decide_change, officer, manager):
    ask(officer, role_level=RoleLevel.STRATEGIC)
    decide_change(manager, officer, "confirm")

    again = decide_change(manager, officer, "confirm")
    declined = decide_change(manager, officer, "decline", reason="Too late.")

    assert again.status_code == 404
    assert "decided already" in declined.content.decode()
    officer.refresh_from_db()
    assert officer.role_level == RoleLevel.STRATEGIC
    assert len(mail.outbox) == 1


def test_the_decision_email_is_sent_once(django_capture_on_commit_callbacks, ask, officer, manager):
    from community import services
    from community.tasks import member_change_email_task

    ask(officer, role_level=RoleLevel.STRATEGIC)
    with django_capture_on_commit_callbacks(execute=False):
        services.member_change_confirm(actor=manager, member=officer)
    entry = AuditLogEntry.objects.get(action="member.change_confirm")

    first = member_change_email_task.delay(entry.pk).get()
    second = member_change_email_task.delay(entry.pk).get()

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1


def test_the_pending_list_has_a_constant_number_of_queries(
    ask, client_for, make_member, manager, django_assert_max_num_queries
):
    client = client_for(manager)
    for _n in range(2):
        member = make_member(AffiliationType.LEA, role_level=RoleLevel.FIELD)
        ask(member, role_level=RoleLevel.MANAGEMENT, organisation=OrganisationFactory().pk)
    client.get(reverse("community:verification-list"))  # warm the session and caches

    with django_assert_max_num_queries(15) as few:
        client.get(reverse("community:verification-list"))
    budget = len(few.captured_queries)
    for _n in range(5):
        member = make_member(AffiliationType.LEA, role_level=RoleLevel.FIELD)
        ask(member, role_level=RoleLevel.MANAGEMENT, organisation=OrganisationFactory().pk)
    with django_assert_max_num_queries(budget):
        response = client.get(reverse("community:verification-list"))
    assert len(response.context["changes"]) == 7


def test_account_deletion_drops_the_pending_change(ask, client_for, officer):
    from tests.community.factories import TEST_PASSWORD

    ask(officer, role_level=RoleLevel.STRATEGIC)

    client_for(officer).post(
        reverse("community:account-delete"), {"password": TEST_PASSWORD, "confirm": "on"}
    )

    officer = User.objects.get(pk=officer.pk)
    assert officer.deleted_at is not None
    assert officer.pending_role_level == ""
    assert officer.pending_change_requested_at is None
