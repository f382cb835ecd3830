"""The managed list of organisations (SPEC §2.1, §3.4): community managers list, add, edit and
merge organisations from their pages; everything that pointed at a merged organisation moves
to the one it is merged into, and each step is audited."""

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import (
    AffiliationType,
    AuditLogEntry,
    Invitation,
    MembershipApplication,
    Organisation,
    RoleLevel,
)
from community.roles import Role
from ipup.models import Response
from tests.community.factories import OrganisationFactory
from tests.ipup.factories import SurveyFactory, submitted_response

pytestmark = pytest.mark.django_db


def _merge(client, source, target, **extra):
    return client.post(
        reverse("community:organisation-merge", args=[source.pk]),
        {"target": target.pk, "confirm": "on", **extra},
        follow=True,
    )


# --- The list ---------------------------------------------------------------------------------


def test_the_manager_reaches_the_list_from_the_navigation_and_sees_member_counts(
    client_for, make_member, manager
):
    # given: two organisations, one with two active members and one former member
    busy = OrganisationFactory(name="Busy force", country="BE")
    OrganisationFactory(name="Empty agency", country="BE")
    make_member(organisation=busy)
    make_member(organisation=busy)
    make_member(organisation=busy, is_active=False)
    client = client_for(manager)

    # when: the manager follows the link from the home page
    home = client.get(reverse("community:home")).content.decode()
    assert f'href="{reverse("community:organisation-list")}"' in home
    response = client.get(reverse("community:organisation-list"), {"country": "BE"})

    # then: the Belgian organisations, each with its active members
    assert response.status_code == 200
    counts = {o.name: o.member_count for o in response.context["page"].object_list}
    assert counts == {"Busy force": 2, "Empty agency": 0}


def test_the_list_is_searched_by_name(client_for, manager):
    OrganisationFactory(name="Guardia Civil", country="ES")
    OrganisationFactory(name="Policía Nacional", country="ES")

    response = client_for(manager).get(reverse("community:organisation-list"), {"q": "guardia"})

    assert [o.name for o in response.context["page"].object_list] == ["Guardia Civil"]


def test_the_list_has_a_constant_number_of_queries(
    client_for, make_member, manager, django_assert_max_num_queries
):
    client = client_for(manager)
    client.get(reverse("community:organisation-list"))
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("community:organisation-list"))
    budget = len(few.captured_queries)
    for n in range(10):
        make_member(organisation=OrganisationFactory(name=f"Force {n}"))

    with django_assert_max_num_queries(budget):
        response = client.get(reverse("community:organisation-list"))
    assert len(response.context["page"].object_list) >= 10


# --- Adding and editing -----------------------------------------------------------------------


def test_a_manager_adds_an_organisation(client_for, manager):
    response = client_for(manager).post(
        reverse("community:organisation-create"),
        {"name": "  Garda Síochána  ", "country": "IE", "type": AffiliationType.LEA},
    )

    assert response.status_code == 302
    organisation = Organisation.objects.get(country="IE")
    assert organisation.name == "Garda Síochána"
    assert AuditLogEntry.objects.filter(
        action="organisation.create", actor=manager, target_id=str(organisation.pk)
    ).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "garda síochána", "country": "IE", "type": "lea"}, "name"),
        ({"name": "Garda Síochána", "country": "IE", "type": "lea"}, None),
        ({"name": "", "country": "IE", "type": "lea"}, "name"),
        ({"name": "New", "country": "XX", "type": "lea"}, "country"),
        ({"name": "New", "country": "IE", "type": "spy"}, "type"),
    ],
)
def test_bad_input_adds_no_organisation(client_for, manager, data, field):
    OrganisationFactory(name="Garda Síochána", country="IE")
    count = Organisation.objects.count()

    response = client_for(manager).post(reverse("community:organisation-create"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    if field:
        assert field in form.errors
    assert Organisation.objects.count() == count
    assert not AuditLogEntry.objects.filter(action="organisation.create").exists()


def test_a_manager_renames_an_organisation(client_for, manager):
    organisation = OrganisationFactory(name="Polzei Example", country="AT")

    page = client_for(manager).get(reverse("community:organisation-edit", args=[organisation.pk]))
    response = client_for(manager).post(
        reverse("community:organisation-edit", args=[organisation.pk]),
        {"name": "Polizei Example", "country": "AT", "type": AffiliationType.LEA},
    )

    assert page.status_code == 200
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Polizei Example"
    entry = AuditLogEntry.objects.get(action="organisation.update")
    assert entry.data["changed"] == {"name": ["Polzei Example", "Polizei Example"]}


def test_renaming_into_a_listed_name_is_refused(client_for, manager):
    OrganisationFactory(name="Polizei Example", country="AT")
    copy = OrganisationFactory(name="Polizei Exampel", country="AT")

    response = client_for(manager).post(
        reverse("community:organisation-edit", args=[copy.pk]),
        {"name": "POLIZEI EXAMPLE", "country": "AT", "type": AffiliationType.LEA},
    )

    assert response.status_code == 200
    assert "already listed in this country" in response.content.decode()
    copy.refresh_from_db()
    assert copy.name == "Polizei Exampel"


# --- Merging ------------------------------------------------------------------------------------


def test_merging_moves_everything_to_the_organisation_kept_and_audits(
    client_for, make_member, manager
):
    # given: an organisation listed twice, the copy with members, a member asking to join it, an
    # invitation, an application and a survey response
    kept = OrganisationFactory(name="Politie Nederland", country="NL")
    copy = OrganisationFactory(name="Nederlandse Politie", country="NL")
    members = [make_member(AffiliationType.LEA, organisation=copy) for _n in range(2)]
    asking = make_member(
        AffiliationType.LEA,
        organisation=OrganisationFactory(name="Other", country="NL"),
        pending_organisation=copy,
        pending_role_level=RoleLevel.MANAGEMENT,
        pending_change_requested_at=timezone.now(),
    )
    moving = make_member(
        AffiliationType.LEA,
        organisation=kept,
        pending_organisation=copy,
        pending_change_requested_at=timezone.now(),
    )
    invitation = Invitation.objects.create(
        email="invited@example.nl", organisation=copy, expires_at="2099-01-01T00:00Z"
    )
    application = MembershipApplication.objects.create(
        email="applicant@example.nl",
        first_name="Applicant",
        last_name="Example",
        organisation=copy,
        country="NL",
        affiliation_type=AffiliationType.LEA,
        motivation="Joining.",
    )
    survey = SurveyFactory()
    response = submitted_response(survey, members[0], [])
    assert response.organisation_key == f"org:{copy.pk}"

    # when: the manager merges the copy into the organisation kept
    page = _merge(client_for(manager), copy, kept)

    # then: the copy is gone and everything points at the organisation kept
    assert "is merged into" in page.content.decode()
    assert not Organisation.objects.filter(pk=copy.pk).exists()
    for member in members:
        member.refresh_from_db()
        assert member.organisation == kept
    asking.refresh_from_db()
    assert asking.pending_organisation == kept
    invitation.refresh_from_db()
    assert invitation.organisation == kept
    application.refresh_from_db()
    assert application.organisation == kept
    response.refresh_from_db()
    assert response.organisation == kept
    # the ranking counts the answers of both former copies as one organisation's
    assert response.organisation_key == f"org:{kept.pk}"
    assert list(Response.objects.values_list("organisation_key", flat=True).distinct()) == [
        f"org:{kept.pk}"
    ]

    # and: a member who asked to move from the kept one to the copy asks for nothing now
    moving.refresh_from_db()
    assert moving.pending_organisation is None
    assert moving.pending_change_requested_at is None

    # and: the merge is in the audit log with what moved
    entry = AuditLogEntry.objects.get(action="organisation.merge")
    assert entry.actor == manager
    assert entry.target_id == str(kept.pk)
    assert entry.data["merged_id"] == copy.pk
    assert entry.data["moved"]["community.user.organisation"] == 2
    assert entry.data["moved"]["ipup.response.organisation"] == 1


@pytest.mark.parametrize("problem", ["itself", "no-confirm", "unknown"])
def test_a_merge_that_makes_no_sense_is_refused(client_for, make_member, manager, problem):
    source = OrganisationFactory(name="Source", country="FR")
    member = make_member(organisation=source)
    target = {"itself": source, "no-confirm": OrganisationFactory(name="Target")}.get(problem)
    data = {"target": target.pk if target else 999999}
    if problem != "no-confirm":
        data["confirm"] = "on"

    response = client_for(manager).post(
        reverse("community:organisation-merge", args=[source.pk]), data
    )

    assert response.status_code == 200
    assert response.context["merge_form"].errors
    assert Organisation.objects.filter(pk=source.pk).exists()
    member.refresh_from_db()
    assert member.organisation == source
    assert not AuditLogEntry.objects.filter(action="organisation.merge").exists()


# --- Who may --------------------------------------------------------------------------------


@pytest.fixture(params=["lea", "unverified", Role.IPUP_COORDINATOR, Role.NATIONAL_CONTACT])
def non_manager(request, make_member):
    if request.param == "lea":
        return make_member(AffiliationType.LEA)
    if request.param == "unverified":
        return make_member(AffiliationType.RESEARCH, unverified=True)
    return make_member(AffiliationType.RESEARCH, roles=[request.param])


def test_organisation_pages_are_not_found_for_everyone_else(client_for, non_manager):
    organisation = OrganisationFactory(name="Kept", country="FR")
    other = OrganisationFactory(name="Other", country="FR")
    client = client_for(non_manager)

    for url in (
        reverse("community:organisation-list"),
        reverse("community:organisation-create"),
        reverse("community:organisation-edit", args=[organisation.pk]),
    ):
        assert client.get(url).status_code == 404, url
    created = client.post(
        reverse("community:organisation-create"), {"name": "Mine", "country": "FR", "type": "lea"}
    )
    renamed = client.post(
        reverse("community:organisation-edit", args=[organisation.pk]),
        {"name": "Renamed", "country": "FR", "type": "lea"},
    )
    merged = _merge(client, other, organisation)

    assert (created.status_code, renamed.status_code, merged.status_code) == (404, 404, 404)
    assert set(Organisation.objects.values_list("name", flat=True)) >= {"Kept", "Other"}
    assert not Organisation.objects.filter(name__in=["Mine", "Renamed"]).exists()
    assert not AuditLogEntry.objects.filter(action__startswith="organisation.").exists()


def test_organisation_pages_send_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("community:organisation-list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- The admin goes through the same services ------------------------------------------------


def test_an_organisation_added_in_the_admin_is_audited(client_for, manager):
    response = client_for(manager).post(
        reverse("admin:community_organisation_add"),
        {"name": "Policia Judiciaria", "country": "PT", "type": AffiliationType.LEA},
    )

    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Policia Judiciaria")
    assert AuditLogEntry.objects.filter(
        action="organisation.create", actor=manager, target_id=str(organisation.pk)
    ).exists()


def test_an_organisation_renamed_in_the_admin_is_audited_and_checked(client_for, manager):
    OrganisationFactory(name="Policia Judiciaria", country="PT")
    copy = OrganisationFactory(name="Policia Judiciara", country="PT")
    url = reverse("admin:community_organisation_change", args=[copy.pk])
    client = client_for(manager)

    duplicate = client.post(url, {"name": "policia judiciaria", "country": "PT", "type": "lea"})
    renamed = client.post(url, {"name": "PJ Example", "country": "PT", "type": "lea"})

    assert duplicate.status_code == 200
    assert "already listed in this country" in duplicate.content.decode()
    assert renamed.status_code == 302
    copy.refresh_from_db()
    assert copy.name == "PJ Example"
    assert AuditLogEntry.objects.filter(action="organisation.update", actor=manager).count() == 1
