"""Roles are groups; each member's row carries a copy of their group names, kept in step."""

import pytest
from django.contrib.auth.models import Group

from community.models import User
from community.roles import Role, roles_of
from community.visibility import visible_room_ids

pytestmark = pytest.mark.django_db


def _fresh(user):
    return User.objects.get(pk=user.pk)


def test_role_names_follow_group_changes_from_either_side(researcher):
    managers = Group.objects.get(name=Role.COMMUNITY_MANAGER.value)

    researcher.groups.add(managers)
    assert roles_of(_fresh(researcher)) == {Role.COMMUNITY_MANAGER.value}

    managers.user_set.remove(researcher)
    assert roles_of(_fresh(researcher)) == frozenset()

    managers.user_set.add(researcher)
    managers.user_set.clear()
    assert roles_of(_fresh(researcher)) == frozenset()


def test_a_new_role_changes_what_the_same_member_object_sees(researcher):
    from community.models import Room
    from community.tiers import Tier

    room = Room.objects.create(name="LEA", slug="lea", tier=Tier.LEA)
    assert room.pk not in visible_room_ids(researcher)

    researcher.groups.add(Group.objects.get(name=Role.COMMUNITY_MANAGER.value))

    assert room.pk in visible_room_ids(researcher)
