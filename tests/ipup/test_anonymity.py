"""Anonymous surveys keep nothing that leads from an answer to a person (issue 10, point 5):
no invitation on a submitted response, no shared precise time, no key made from an id, no
draft left linked once the survey is closed — proved over every table, the admin, the exports
and the personal-data export."""

import csv
import io
import json
import re
import zipfile
from datetime import datetime, time, timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from community.models import AffiliationType, AuditLogEntry, User
from community.roles import Role
from community.services.personal_data import personal_data_export
from ipup.models import Answer, Response, Survey, SurveyInvitation
from ipup.services.responses import to_the_day
from ipup.services.surveys import invitations_send, reminders_send
from ipup.tasks import anonymous_drafts_delete_task
from ipup.tokens import invitation_token
from tests.community.factories import OrganisationFactory, UserFactory
from tests.ipup.factories import NeedFactory, SurveyFactory, needs_questions

pytestmark = pytest.mark.django_db

RESPONDENTS = [("Zoltan", "Quirinus"), ("Ottilie", "Brackwater"), ("Casimir", "Vandeleur")]


@pytest.fixture
def coordinator(make_member):
    return make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])


@pytest.fixture
def survey(db):
    """An open anonymous needs survey for three named LEA officers (the last without an
    organisation) and one who only saves a draft; invitations e-mailed a week ago, and one
    reminder round sent."""
    survey = SurveyFactory(
        title="Anonymous needs 2027", is_anonymous=True, reminder_interval_days=3,
        opens_at=timezone.now() - timedelta(days=10),
    )  # fmt: skip
    needs = [NeedFactory(title="Drone detection"), NeedFactory(title="Chat forensics")]
    rate, comment = needs_questions(survey, needs)
    unit = OrganisationFactory(name="Harbour Police Unit")
    members = [
        UserFactory(
            first_name=first, last_name=last, email=f"{first.lower()}@police.example",
            affiliation_type=AffiliationType.LEA, organisation=unit if i < 2 else None,
            country="MT" if i == 0 else "BE",  # the only Maltese: a country would name her
        )
        for i, (first, last) in enumerate([*RESPONDENTS, ("Drafty", "Halfway")])
    ]  # fmt: skip
    survey.audience_members.set(members)
    invitations_send(survey_id=survey.pk)
    survey.invitations.update(sent_at=timezone.now() - timedelta(days=4))
    reminders_send(survey_id=survey.pk)
    return survey, needs, rate, comment, members


def _url(survey, member):
    return reverse(
        "ipup:survey-answer", args=[invitation_token(survey.invitations.get(member=member))]
    )


def _answer(client, survey, rate, comment, needs, member, *, action="submit", value=4):
    data = {f"q_{rate.pk}_n_{need.pk}": value for need in needs}
    return client.post(_url(survey, member), data | {f"q_{comment.pk}": "ok", "action": action})


def _answered(client, survey):
    """Every invitee but the last answers; the last saves a draft. Returns the moment before."""
    survey, needs, rate, comment, members = survey
    before = timezone.now()
    for member in members[:-1]:
        assert _answer(client, survey, rate, comment, needs, member).status_code == 200
    assert (
        _answer(client, survey, rate, comment, needs, members[-1], action="save").status_code == 302
    )
    return before


def _is_midnight(value: datetime) -> bool:
    return value == to_the_day(value)


def test_a_submitted_response_is_detached_and_dated_to_the_day(client, survey):
    anonymous, _needs, _rate, _comment, members = survey

    _answered(client, survey)

    submitted = Response.objects.filter(survey=anonymous, status="submitted")
    assert submitted.count() == 3
    assert not submitted.filter(invitation__isnull=False).exists()
    for response in submitted:
        assert all(
            map(_is_midnight, (response.started_at, response.updated_at, response.submitted_at))
        )
        assert re.fullmatch(r"org:\d+|one:[0-9a-f]{16}", response.organisation_key)
        if response.organisation_id:
            assert response.organisation_key == f"org:{response.organisation_id}"
    keys = sorted(submitted.values_list("organisation_key", flat=True))
    assert keys[0].startswith("one:")  # the officer without an organisation: a key of their own
    assert keys[1:] == [f"org:{members[0].organisation_id}"] * 2
    answered = dict(anonymous.invitations.values_list("member_id", "has_answered"))
    assert answered == {members[0].pk: True, members[1].pk: True, members[2].pk: True,
                        members[3].pk: False}  # fmt: skip
    # the draft stays with its invitee while the survey is open, to be resumed
    assert Response.objects.get(status="draft").invitation.member == members[3]
    resumed = client.get(_url(anonymous, members[3]))
    assert resumed.context["draft"] is not None


def test_a_named_survey_keeps_who_answered_and_when(client, survey):
    anonymous, needs, rate, comment, members = survey
    Survey.objects.filter(pk=anonymous.pk).update(is_anonymous=False)

    _answer(client, anonymous, rate, comment, needs, members[0])

    response = Response.objects.get(status="submitted")
    assert response.invitation.member == members[0]
    assert not _is_midnight(response.submitted_at)


def test_the_pages_say_so_in_plain_words(client, client_for, coordinator, survey):
    anonymous, _needs, _rate, _comment, members = survey

    answer_page = client.get(_url(anonymous, members[0])).content.decode()
    detail = client_for(coordinator).get(reverse("ipup:survey-detail", args=[anonymous.pk]))

    assert (
        "Your answers are stored without your name, e-mail or the time you answered; not even "
        "the coordinators can tell which answers are yours." in " ".join(answer_page.split())
    )
    assert "any not submitted are deleted when the survey closes" in " ".join(answer_page.split())
    assert "not even the coordinators can tell which answers are whose" in " ".join(
        detail.content.decode().split()
    )


def test_closing_deletes_the_drafts_still_linked_to_invitees(
    client, client_for, coordinator, survey
):
    anonymous, *_rest, members = survey
    _answered(client, survey)

    client_for(coordinator).post(reverse("ipup:survey-close", args=[anonymous.pk]))

    assert list(Response.objects.values_list("status", flat=True)) == ["submitted"] * 3
    assert client.get(_url(anonymous, members[3])).status_code == 410


def test_a_survey_closed_by_its_date_loses_its_drafts_by_the_task_or_the_first_read(
    client, client_for, coordinator, survey
):
    anonymous, *_rest = survey
    _answered(client, survey)
    other = SurveyFactory(is_anonymous=True)  # still open: its drafts stay
    Response.objects.create(survey=other, invitation=SurveyInvitation.objects.create(
        survey=other, member=UserFactory(), email="x@police.example"))  # fmt: skip
    Survey.objects.filter(pk=anonymous.pk).update(closes_at=timezone.now())

    assert anonymous_drafts_delete_task.delay().get() == 1
    assert not Response.objects.filter(survey=anonymous, status="draft").exists()
    assert Response.objects.filter(survey=other, status="draft").exists()

    # and should the task not have run yet, reading the ranking or an export is guarded
    Response.objects.create(
        survey=anonymous, invitation=anonymous.invitations.get(has_answered=False)
    )
    client_for(coordinator).get(reverse("ipup:survey-ranking", args=[anonymous.pk]))
    assert not Response.objects.filter(survey=anonymous, status="draft").exists()


def _identifying(anonymous, members):
    invitations = list(SurveyInvitation.objects.filter(survey=anonymous))
    return {
        "emails": {m.email for m in members} | {i.email for i in invitations},
        "names": {name for m in members for name in (m.first_name, m.last_name)},
        "times": {t for i in invitations for t in (i.sent_at, i.created_at)},
    }


def _assert_row_names_nobody(row, who, where):
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        if field.is_relation:
            # no reference to a person or to an invitation, whatever the path
            assert field.related_model not in (User, SurveyInvitation) or value is None, where
        elif isinstance(value, str):
            assert not any(email in value for email in who["emails"]), where
            assert not value.startswith("member:"), where
        elif isinstance(value, datetime):
            assert _is_midnight(value), (where, field.name)
            assert value not in who["times"], (where, field.name)


def test_after_close_nothing_links_an_answer_to_an_invitation_a_member_or_an_e_mail(
    client, client_for, coordinator, admin_user, survey
):
    # given an anonymous survey answered by three, a draft by a fourth, then closed
    anonymous, _needs, _rate, _comment, members = survey
    _answered(client, survey)
    client_for(coordinator).post(reverse("ipup:survey-close", args=[anonymous.pk]))
    who = _identifying(anonymous, members)
    responses = list(Response.objects.filter(survey=anonymous))
    answers = list(Answer.objects.filter(response__in=responses))
    assert len(responses) == 3

    # then: every model — no row pointing at a response or an answer names a person, no
    # model holds both a person and a response, and no generic reference points at either
    linked_types = ContentType.objects.get_for_models(Response, Answer).values()
    for model in apps.get_models():
        fields = [*model._meta.concrete_fields, *model._meta.many_to_many]
        for field in fields:
            if field.is_relation and field.related_model in (Response, Answer):
                targets = responses if field.related_model is Response else answers
                for row in model._default_manager.filter(**{f"{field.name}__in": targets}):
                    _assert_row_names_nobody(row, who, f"{model.__name__}.{field.name}")
            # (a permission's content type names a model, not a row)
            if model is not Permission and field.related_model is ContentType:
                pointing = model._default_manager.filter(**{f"{field.name}__in": linked_types})
                assert not pointing.exists(), model.__name__
    for row in responses:
        _assert_row_names_nobody(row, who, "Response")
    assert not AuditLogEntry.objects.filter(actor__in=members).exists()
    assert not AuditLogEntry.objects.filter(target_repr__in=who["emails"]).exists()

    # and the admin, as an administrator: responses and answers name nobody; invitations and
    # reminders say neither whether nor when anyone answered, nor link to a response
    admin = client_for(admin_user)
    pages = [reverse("admin:ipup_response_changelist"), reverse("admin:ipup_answer_changelist")]
    pages += [reverse("admin:ipup_response_change", args=[r.pk]) for r in responses]
    pages += [reverse("admin:ipup_answer_change", args=[a.pk]) for a in answers]
    for page in pages:
        html = admin.get(page).content.decode()
        assert not any(text in html for text in who["emails"] | who["names"]), page
        assert not re.search(r"/admin/ipup/surveyinvitation/\d", html), page
        assert "Malta" not in html, page
    invitation_pages = [reverse("admin:ipup_surveyinvitation_changelist"),
                        reverse("admin:ipup_surveyreminder_changelist")]  # fmt: skip
    invitation_pages += [
        reverse("admin:ipup_surveyinvitation_change", args=[i.pk])
        for i in anonymous.invitations.all()
    ]
    for page in invitation_pages:
        html = admin.get(page).content.decode()
        assert not re.search(r"/admin/ipup/response/\d", html), page
        assert ">yes<" not in html, page
        assert ">no<" not in html, page
    reminders = admin.get(reverse("admin:ipup_surveyreminder_changelist")).content.decode()
    assert not any(email in reminders for email in who["emails"])

    # and the exports
    as_csv = admin.get(reverse("ipup:survey-responses-csv", args=[anonymous.pk])).content.decode()
    sheet = load_workbook(io.BytesIO(admin.get(
        reverse("ipup:survey-responses-xlsx", args=[anonymous.pk])).content)).active  # fmt: skip
    _header, *rows = list(csv.reader(io.StringIO(as_csv)))
    xlsx = [list(row) for row in sheet.iter_rows(values_only=True)]
    text = as_csv + repr(xlsx)
    assert not any(part in text for part in who["emails"] | who["names"])
    assert "Malta" not in text
    assert sorted(row[0] for row in rows) == ["1", "2", "3"]
    assert {row[1] for row in rows} == {timezone.localdate().isoformat()}
    for row in xlsx[1:]:
        assert all(cell.time() == time() for cell in row if isinstance(cell, datetime))

    # and each respondent's own personal-data export: their answers cannot be found any more
    for member in members:
        with zipfile.ZipFile(io.BytesIO(personal_data_export(member=member))) as archive:
            answers_file = json.loads(archive.read("survey_answers.json"))
            anonymous_file = json.loads(archive.read("anonymous_surveys_answered.json"))
        assert answers_file == []
        answered = member != members[-1]
        assert [row["survey"] for row in anonymous_file] == (
            ["Anonymous needs 2027"] if answered else []
        )
