from datetime import timedelta

import factory
from django.utils import timezone

from community.models import Domain
from ipup.models import Need, Question, Section, Survey


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Need {n}")
    description = "A challenge practitioners face."
    source = Need.Source.SURVEY
    tier = "members"

    @factory.post_generation
    def domains(self, create, extracted, **kwargs):
        if create:
            self.domains.set(extracted or [Domain.objects.get(slug="cybercrime")])


class SurveyFactory(factory.django.DjangoModelFactory):
    """An open, published needs survey (opened yesterday, closing in two weeks)."""

    class Meta:
        model = Survey
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Needs survey {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def audience_members(self, create, extracted, **kwargs):
        if create and extracted:
            self.audience_members.set(extracted)


def needs_questions(survey, needs, *, required=True):
    """A section with one "rate each need" question and one free-text question."""
    section = Section.objects.create(survey=survey, title="Your priorities", position=1)
    rate = Question.objects.create(
        survey=survey,
        section=section,
        kind=Question.Kind.NEED_IMPORTANCE,
        text="How important is each challenge for your unit?",
        required=required,
        position=1,
    )
    rate.needs.set(needs)
    comment = Question.objects.create(
        survey=survey, section=section, kind=Question.Kind.TEXT, text="Anything else?", position=2
    )
    return rate, comment


def submitted_response(survey, member, answers):
    """A submitted response of ``member`` with ``answers`` = ``[(question, need or None,
    value)]``, the respondent snapshot copied as ipup.services.responses.response_save does."""
    from ipup.models import Answer, Response, SurveyInvitation

    now = timezone.now()
    invitation = SurveyInvitation.objects.create(
        survey=survey, member=member, email=member.email, status="sent", responded_at=now
    )
    response = Response.objects.create(
        survey=survey,
        invitation=invitation,
        status=Response.Status.SUBMITTED,
        submitted_at=now,
        role_level=member.role_level,
        affiliation_type=member.verified_affiliation or "",
        country=member.country,
        organisation=member.organisation,
        organisation_key=(
            f"org:{member.organisation_id}" if member.organisation_id else f"member:{invitation.pk}"
        ),
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=question, need=need, value=value)
        for question, need, value in answers
    )
    return response
