"""The admin site (issue 10, point 3): staff below administrator cannot give themselves or anyone
access, set a password or change an affiliation there, even with a forged form; every change of
roles, affiliations, rooms and room grants made there goes through the audited services."""

import pytest
from django import forms
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from community import services
from community.models import (
    AffiliationType,
    AuditLogEntry,
    Invitation,
    Room,
    RoomUserObjectPermission,
)
from community.roles import Role
from community.services import forum
from community.tiers import Tier
from tests.community.factories import TEST_PASSWORD, RoomFactory

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """What the admin page's forms would post back unchanged (the main form and its inlines)."""
    forms_on_page = [response.context["adminform"].form]
    data = {}
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        forms_on_page += [formset.management_form, *formset.forms]
    for form in forms_on_page:
        for name, field in form.fields.items():
            if field.disabled:
                continue
            key = form.add_prefix(name)
            value = field.prepare_value(form[name].value())
            if isinstance(field.widget, forms.CheckboxInput):
                if value:
                    data[key] = "on"
            else:
                data[key] = "" if value is None else value
    return data


def user_url(member) -> str:
    return reverse("admin:community_user_change", args=[member.pk])


def post_user(client, member, **forged):
    page = client.get(user_url(member))
    assert page.status_code == 200
    return client.post(user_url(member), {**form_data(page), **forged})


def access_of(member) -> dict:
    member.refresh_from_db()
    return {
        "superuser": member.is_superuser,
        "staff": member.is_staff,
        "active": member.is_active,
        "email": member.email,
        "groups": sorted(member.groups.values_list("name", flat=True)),
        "permissions": member.user_permissions.count(),
        "affiliation": member.affiliation_type,
        "verified": member.affiliation_verified_at,
        "role_level": member.role_level,
        "country": str(member.country),
        "password": member.password,
    }


@pytest.fixture
def administrators():
    return Group.objects.get(name=Role.ADMINISTRATOR.value)


# --- A community manager in the user admin ------------------------------------------------------


def test_a_manager_cannot_make_themselves_superuser_or_administrator(
    client_for, manager, administrators
):
    client = client_for(manager)
    before = access_of(manager)

    response = post_user(
        client,
        manager,
        is_superuser="on",
        is_staff="on",
        groups=[administrators.pk],
        user_permissions=[Permission.objects.get(codename="delete_user").pk],
        email="someone.else@example.org",
    )

    assert response.status_code == 302  # the fields they may edit are saved, the others ignored
    assert access_of(manager) == before
    assert not AuditLogEntry.objects.filter(action__startswith="role.").exists()


def test_a_manager_cannot_change_a_verified_member_s_affiliation_or_weight_in_the_admin(
    client_for, manager, researcher, lea_member
):
    before = access_of(researcher)

    response = post_user(
        client_for(manager),
        researcher,
        affiliation_type=AffiliationType.LEA,
        affiliation_verified_at_0="2020-01-01",
        affiliation_verified_at_1="10:00",
        role_level="strategic",
        organisation=lea_member.organisation_id,
        country="DE",
        is_active="",
        first_name="Renamed",
    )

    assert response.status_code == 302
    assert access_of(researcher) == before
    assert researcher.first_name == "Renamed"  # what a manager may edit still saves
    assert AuditLogEntry.objects.filter(
        action="member.update", actor=manager, target_id=str(researcher.pk)
    ).exists()
    # and the researcher still cannot open an LEA-only room
    RoomFactory(slug="lounge", tier=Tier.LEA)
    lounge = client_for(researcher).get(reverse("community:room-detail", args=["lounge"]))
    assert lounge.status_code == 404


def test_a_manager_sees_access_and_affiliation_read_only_and_no_password_link(
    client_for, manager, researcher
):
    page = client_for(manager).get(user_url(researcher))
    fields = page.context["adminform"].form.fields

    locked = {"is_superuser", "is_staff", "is_active", "groups", "user_permissions", "email",
              "affiliation_type", "role_level", "organisation", "country"}  # fmt: skip
    assert not locked & set(fields)
    assert fields["password"].disabled  # the hash, shown nowhere on the page
    password_url = reverse("admin:auth_user_password_change", args=[researcher.pk])
    assert password_url not in page.content.decode()


def test_a_manager_cannot_set_anyone_s_password(client_for, manager, researcher, admin_user):
    client = client_for(manager)
    for member in (researcher, admin_user, manager):
        url = reverse("admin:auth_user_password_change", args=[member.pk])
        before = access_of(member)["password"]

        page = client.get(url)
        response = client.post(url, {"password1": "N3w-pass-phrase!", "password2": "N3w-pass-phrase!",
                                     "usable_password": "true"})  # fmt: skip

        assert (page.status_code, response.status_code) == (403, 403)
        assert access_of(member)["password"] == before
        member.refresh_from_db()
        assert member.check_password(TEST_PASSWORD)


# --- An administrator in the user admin ---------------------------------------------------------


def test_an_administrator_s_affiliation_change_is_audited_and_needs_a_new_verification(
    client_for, admin_user, researcher
):
    response = post_user(client_for(admin_user), researcher, affiliation_type=AffiliationType.LEA)

    assert response.status_code == 302
    researcher.refresh_from_db()
    assert researcher.affiliation_type == AffiliationType.LEA
    assert researcher.affiliation_verified_at is None
    entry = AuditLogEntry.objects.get(action="member.affiliation_change")
    assert entry.actor == admin_user
    assert entry.data["affiliation"] == [AffiliationType.RESEARCH, AffiliationType.LEA]
    # no instant LEA access: an unverified member sees the public rooms only
    RoomFactory(slug="lounge", tier=Tier.LEA)
    assert not Room.objects.visible_to(researcher).filter(slug="lounge").exists()
    lounge = client_for(researcher).get(reverse("community:room-detail", args=["lounge"]))
    assert lounge.status_code in (302, 404)  # (an LEA affiliation first asks for a second factor)
    assert lounge.get("Location") != reverse("community:room-detail", args=["lounge"])


def test_an_administrator_s_role_and_access_changes_are_audited(
    client_for, admin_user, researcher, administrators
):
    client = client_for(admin_user)
    managers = Group.objects.get(name=Role.COMMUNITY_MANAGER.value)

    post_user(client, researcher, groups=[managers.pk])
    researcher.refresh_from_db()
    assert researcher.is_staff
    assert Role.COMMUNITY_MANAGER.value in researcher.role_names

    post_user(client, researcher, groups=[], is_superuser="on")
    researcher.refresh_from_db()
    assert researcher.is_superuser
    assert not researcher.groups.exists()

    actions = list(
        AuditLogEntry.objects.filter(target_id=str(researcher.pk))
        .order_by("pk")
        .values_list("action", "data")
    )
    assert ("role.grant", {"role": Role.COMMUNITY_MANAGER.value}) in actions
    assert ("role.revoke", {"role": Role.COMMUNITY_MANAGER.value}) in actions
    assert ("member.access_update", {"is_superuser": [False, True]}) in actions


def test_an_administrator_sets_a_password_and_it_is_audited(client_for, admin_user, researcher):
    url = reverse("admin:auth_user_password_change", args=[researcher.pk])

    response = client_for(admin_user).post(
        url,
        {
            "password1": "N3w-pass-phrase!",
            "password2": "N3w-pass-phrase!",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302
    researcher.refresh_from_db()
    assert researcher.check_password("N3w-pass-phrase!")
    assert AuditLogEntry.objects.filter(
        action="member.password_set", actor=admin_user, target_id=str(researcher.pk)
    ).exists()


def test_roles_cannot_be_edited_as_groups(client_for, admin_user, administrators):
    client = client_for(admin_user)
    url = reverse("admin:auth_group_change", args=[administrators.pk])
    permissions = list(administrators.permissions.values_list("pk", flat=True))

    response = client.post(url, {"name": "Renamed", "permissions": permissions[:1]})

    assert response.status_code == 403
    administrators.refresh_from_db()
    assert administrators.name == Role.ADMINISTRATOR.value
    assert administrators.permissions.count() == len(permissions)
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 200


# --- Rooms and grants ---------------------------------------------------------------------------


def test_a_room_created_and_retiered_in_the_admin_is_audited(client_for, admin_user):
    client = client_for(admin_user)
    add = client.get(reverse("admin:community_room_add"))
    data = {**form_data(add), "name": "Border desk", "slug": "border-desk", "tier": Tier.MEMBERS,
            "position": "5"}  # fmt: skip

    created = client.post(reverse("admin:community_room_add"), data)
    room = Room.objects.get(slug="border-desk")
    change_url = reverse("admin:community_room_change", args=[room.pk])
    changed = client.post(change_url, {**form_data(client.get(change_url)), "tier": Tier.LEA})

    assert (created.status_code, changed.status_code) == (302, 302)
    room.refresh_from_db()
    assert room.tier == Tier.LEA
    assert room.created_by == admin_user
    assert AuditLogEntry.objects.filter(action="room.create", target_id=str(room.pk)).exists()
    update = AuditLogEntry.objects.get(action="room.update", target_id=str(room.pk))
    assert update.data == {"tier": [Tier.MEMBERS, Tier.LEA]}
    assert update.actor == admin_user


def test_grants_given_and_taken_in_the_room_admin_are_audited(
    client_for, admin_user, lea_member, manager
):
    room = RoomFactory(slug="task-force", tier=Tier.LEA, is_private=True)
    forum.room_grant(actor=manager, room=room, member=manager, moderator=True)
    client = client_for(admin_user)
    url = reverse("admin:community_room_change", args=[room.pk])
    page = client.get(url)
    data = form_data(page)
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    access = Permission.objects.get(codename="access_room", content_type__app_label="community")

    # when: the administrator adds a member and takes the moderator grant away
    data.update({f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-1-user": str(lea_member.pk),
                 f"{prefix}-1-permission": str(access.pk), f"{prefix}-0-DELETE": "on"})  # fmt: skip
    response = client.post(url, data)

    # then: both are done, and both are in the audit log
    assert response.status_code == 302
    assert lea_member.has_perm("community.access_room", room)
    assert not RoomUserObjectPermission.objects.filter(user=manager, content_object=room).exists()
    actions = set(
        AuditLogEntry.objects.filter(actor=admin_user, target_id=str(room.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == {"room.member_add", "room.moderator_remove"}


def test_a_grant_added_and_deleted_in_the_grant_admin_is_audited(
    client_for, admin_user, lea_member
):
    room = RoomFactory(slug="task-force", tier=Tier.LEA, is_private=True)
    client = client_for(admin_user)
    moderate = Permission.objects.get(codename="moderate_room", content_type__app_label="community")

    added = client.post(
        reverse("admin:community_roomuserobjectpermission_add"),
        {"content_object": room.pk, "user": lea_member.pk, "permission": moderate.pk},
    )
    grant = RoomUserObjectPermission.objects.get(user=lea_member, content_object=room)
    deleted = client.post(
        reverse("admin:community_roomuserobjectpermission_delete", args=[grant.pk]),
        {"post": "yes"},
    )

    assert (added.status_code, deleted.status_code) == (302, 302)
    assert not RoomUserObjectPermission.objects.filter(pk=grant.pk).exists()
    actions = list(
        AuditLogEntry.objects.filter(actor=admin_user, target_id=str(room.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["room.moderator_add", "room.moderator_remove"]


def test_invitations_are_not_written_in_the_admin_but_can_be_revoked(client_for, manager):
    invitation = services.invitation_create(actor=manager, email="newcomer@example.org")
    client = client_for(manager)

    add = client.post(
        reverse("admin:community_invitation_add"),
        {"email": "vouched@example.org", "affiliation_type": "lea", "affiliation_vetted": "on"},
    )
    revoke = client.post(
        reverse("admin:community_invitation_changelist"),
        {"action": "revoke", "_selected_action": [invitation.pk]},
    )

    assert add.status_code == 403
    assert not Invitation.objects.filter(email="vouched@example.org").exists()
    assert revoke.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditLogEntry.objects.filter(action="invitation.revoke").exists()


def test_member_update_refuses_what_the_admin_form_hides_whatever_calls_it(
    manager, researcher, administrators
):
    for forged in (
        {"is_superuser": True},
        {"groups": [administrators]},
        {"affiliation_type": AffiliationType.LEA},
        {"affiliation_verified_at": None},
        {"role_level": "strategic"},
    ):
        with pytest.raises(PermissionDenied):
            services.member_update(actor=manager, member=researcher, **forged)
    assert not AuditLogEntry.objects.exists()


def test_an_administrator_s_account_is_read_only_to_a_manager(client_for, manager, admin_user):
    # given: a community manager on an administrator's record in the admin
    client = client_for(manager)
    before = access_of(admin_user)

    # when: they post a change to it anyway
    page = client.get(user_url(admin_user))
    response = client.post(user_url(admin_user), {"first_name": "Renamed", "invitation_quota": 0})

    # then: the page is read-only, the post refused, nothing changed and nothing audited
    assert page.status_code == 200
    assert response.status_code == 403
    assert access_of(admin_user) == before
    assert admin_user.first_name != "Renamed"
    with pytest.raises(PermissionDenied):
        services.member_update(actor=manager, member=admin_user, first_name="Renamed")
    assert not AuditLogEntry.objects.filter(target_id=str(admin_user.pk)).exists()
