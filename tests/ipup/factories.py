from datetime import timedelta

import factory
from django.utils import timezone

from community.models import Domain
from ipup.models import Need, Question, ResearchProject, Section, Survey
from ipup.services.projects import project_search_vector_refresh


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
    value)]``, stored as ipup.services.responses.response_save stores it: the respondent
    snapshot, and for an anonymous survey no invitation and the day only."""
    from ipup.models import Answer, Response, SurveyInvitation
    from ipup.services.responses import respondent_snapshot, to_the_day

    now = timezone.now()
    invitation = SurveyInvitation.objects.create(
        survey=survey, member=member, email=member.email, status="sent", has_answered=True
    )
    if survey.is_anonymous:
        invitation, now = None, to_the_day(now)
    response = Response.objects.create(
        survey=survey,
        invitation=invitation,
        status=Response.Status.SUBMITTED,
        started_at=now,
        updated_at=now,
        submitted_at=now,
        **respondent_snapshot(member),
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=question, need=need, value=value)
        for question, need, value in answers
    )
    return response


class ResearchProjectFactory(factory.django.DjangoModelFactory):
    """An ongoing project, searchable (its search vector is computed as the import does)."""

    class Meta:
        model = ResearchProject
        skip_postgeneration_save = True

    source = ResearchProject.Source.CORDIS
    source_id = factory.Sequence(lambda n: str(900000 + n))
    acronym = factory.Sequence(lambda n: f"PRJ{n}")
    title = factory.Sequence(lambda n: f"Research project {n}")
    programme = "Horizon 2020"
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))
    summary = "A project of EU security research."

    @factory.post_generation
    def search(self, create, extracted, **kwargs):
        if create:
            project_search_vector_refresh([self.pk])


class ProjectContactFactory(factory.django.DjangoModelFactory):
    """A point of contact never verified."""

    class Meta:
        model = "ipup.ProjectContact"

    project = factory.SubFactory(ResearchProjectFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@project.example.eu")
    function = "Project coordinator"
