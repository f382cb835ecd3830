"""Demo data for IPUP (seed_demo): the top challenges of the four focus domains, as the
ILEAnet desk studies and surveys ranked them, one closed needs survey answered by LEA
officers of several countries and role levels, and the real H2020 and FP7 Security research
projects. Idempotent."""

import random
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from community.models import AffiliationType, Domain, Event, Organisation, RoleLevel, User

from .importers import read
from .models import Answer, Need, Question, Response, Section, Survey, SurveyInvitation
from .services.projects import projects_import
from .services.responses import respondent_snapshot

# The top five challenges per domain, in the order the 2019-2020 analysis ranked them.
CHALLENGES = {
    "migration-border-management": [
        "Intelligence gathering from irregular migrants",
        "Information sharing between EU agencies and LEAs",
        "Fraudulent documents",
        "Monitoring pre-frontier areas",
        "Irregular migrant returns procedures",
    ],
    "terrorism": [
        "Information sharing on terrorist threats",
        "Monitoring foreign terrorist fighters",
        "Interoperability of border management and internal security systems",
        "Strengthening operational cooperation",
        "Protection of citizens and soft targets",
    ],
    "cybercrime": [
        "Identifying the actors behind cybercrime attack tools",
        "International preparedness for cyberattacks on critical infrastructure",
        "Better use of investigative tools against online child sexual exploitation",
        "Monitoring and responding to darknet threats and markets",
        "Combating the criminal use of cryptocurrencies",
    ],
    "serious-organised-crime": [
        "Cooperation to disrupt trafficking in illicit drugs",
        "Forming joint investigation teams",
        "Information sharing between EU agencies and LEAs on organised crime",
        "Conducting financial investigations",
        "Reducing the diversion of firearms into criminal hands",
    ],
}

SURVEY_TITLE = "LEA challenges and needs survey 2026"

# Respondents: (e-mail, first name, last name, organisation, country, role level)
ORGANISATIONS = [
    ("Polizia di Stato", "IT"),
    ("Policja", "PL"),
    ("Polícia Judiciária", "PT"),
    ("Garda Síochána", "IE"),
    ("Police nationale", "FR"),
    ("Politie Nederland", "NL"),
    ("Policía Nacional", "ES"),
    ("Bundeskriminalamt", "DE"),
]
RESPONDENTS = [
    ("Giulia", "Rossi", "Polizia di Stato", "IT", RoleLevel.FIELD),
    ("Marco", "Bianchi", "Polizia di Stato", "IT", RoleLevel.FIELD),
    ("Sofia", "Greco", "Polizia di Stato", "IT", RoleLevel.MANAGEMENT),
    ("Piotr", "Nowak", "Policja", "PL", RoleLevel.FIELD),
    ("Anna", "Kowalska", "Policja", "PL", RoleLevel.STRATEGIC),
    ("João", "Santos", "Polícia Judiciária", "PT", RoleLevel.MANAGEMENT),
    ("Aoife", "Murphy", "Garda Síochána", "IE", RoleLevel.FIELD),
    ("Seán", "Byrne", "Garda Síochána", "IE", RoleLevel.MANAGEMENT),
    ("Claire", "Lefèvre", "Police nationale", "FR", RoleLevel.FIELD),
    ("Thomas", "Bernard", "Police nationale", "FR", RoleLevel.FIELD),
    ("Jan", "de Vries", "Politie Nederland", "NL", RoleLevel.STRATEGIC),
    ("Elena", "García", "Policía Nacional", "ES", RoleLevel.MANAGEMENT),
    ("Miguel", "López", "Policía Nacional", "ES", RoleLevel.FIELD),
    ("Jonas", "Weber", "Bundeskriminalamt", "DE", RoleLevel.FIELD),
]


def seed_needs(*, actor) -> list[Need]:
    needs = []
    for slug, titles in CHALLENGES.items():
        domain = Domain.objects.get(slug=slug)
        for title in titles:
            need, created = Need.objects.get_or_create(
                title=title,
                defaults={
                    "description": f"One of the priority challenges identified for {domain.name}.",
                    "source": Need.Source.SURVEY,
                    "status": Need.Status.ANALYSED,
                    "tier": "members",
                    "created_by": actor,
                },
            )
            if created:
                need.domains.set([domain])
            needs.append(need)
    return needs


def _respondents() -> list[User]:
    organisations = {
        name: Organisation.objects.get_or_create(
            name=name, country=country, defaults={"type": AffiliationType.LEA}
        )[0]
        for name, country in ORGANISATIONS
    }
    members = []
    for first, last, org, country, level in RESPONDENTS:
        organisation = organisations[org]
        email = f"{first}.{last}".lower().replace(" ", "") + "@respondents.example.org"
        member, _created = User.objects.get_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "organisation": organisation,
                "country": country,
                "affiliation_type": AffiliationType.LEA,
                "affiliation_verified_at": timezone.now(),
                "role_level": level,
                "password": make_password(None),
                "welcome_sent_at": timezone.now(),
            },
        )
        members.append(member)
    return members


def seed_needs_survey(*, actor) -> Survey:
    """The closed needs survey with its answers (made once; later runs leave it as it is)."""
    survey = Survey.objects.filter(title=SURVEY_TITLE).first()
    if survey is not None:
        return survey
    needs = seed_needs(actor=actor)
    now = timezone.now()
    survey = Survey.objects.create(
        title=SURVEY_TITLE,
        introduction="Which challenges should security research take up first?",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=10),
        published_at=now - timedelta(days=61),
        audience_affiliations=[AffiliationType.LEA],
        created_by=actor,
    )
    section = Section.objects.create(survey=survey, title="Challenges of your domain")
    rate = Question.objects.create(
        survey=survey,
        section=section,
        kind=Question.Kind.NEED_IMPORTANCE,
        text="How important is each challenge for your service?",
        required=True,
        scale_min_label="not important",
        scale_max_label="critical",
    )
    rate.needs.set(needs)
    # Ratings follow the published order, with the spread of real answers.
    rank_of = {title: rank for titles in CHALLENGES.values() for rank, title in enumerate(titles)}
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    for member in _respondents():
        invitation = SurveyInvitation.objects.create(
            survey=survey,
            member=member,
            email=member.email,
            status="sent",
            sent_at=survey.opens_at,
            has_answered=True,
        )
        submitted_at = survey.opens_at + timedelta(days=rng.randint(1, 40))
        response = Response.objects.create(
            survey=survey,
            invitation=invitation,
            status=Response.Status.SUBMITTED,
            started_at=submitted_at,
            updated_at=submitted_at,
            submitted_at=submitted_at,
            **respondent_snapshot(member),
        )
        Answer.objects.bulk_create(
            Answer(
                response=response,
                question=rate,
                need=need,
                value=max(1, min(5, round(5 - 0.45 * rank_of[need.title] + rng.gauss(0, 0.8)))),
            )
            for need in needs
        )
    return survey


# The research projects of the demo: the real H2020 and FP7 Security projects of the Open
# Security Data export shipped in the repository (ipup/data/README.md says where it comes from).
PROJECTS_FILE = Path(__file__).resolve().parent / "data" / "opensecurity-projects.json"
DEMO_PROGRAMMES = {"Horizon 2020", "FP7 Security"}


def seed_projects() -> int:
    """Import (or update: idempotent) the demo's research projects; returns how many."""
    result = read(PROJECTS_FILE)
    records = [record for record in result.records if record.programme in DEMO_PROGRAMMES]
    projects_import(records=records)
    return len(records)


# --- Stage 3: presentation documents, a showcase event with feedback, a follow-up webinar -------

DOCUMENT_TEXTS = {
    "id_card": {
        "objectives": (
            "Give border guards a way to detect people hidden in vehicles and cargo at land "
            "crossings, and to check suspicious movements along the green border, without "
            "slowing the flow of travellers."
        ),
        "scope": (
            "Land border crossing points and the green border between them. Maritime borders "
            "and airports are outside the scope."
        ),
        "outcomes": (
            "A sensor kit (radar, thermal camera, CO2 probe) with a common operating picture; "
            "a training module for first-line officers; a validation report from two pilots."
        ),
        "partners": "Eleven partners from seven countries, among them two border police forces.",
        "lea_partners": "Two national border guard services tested the kit in pilots.",
        "funding": "Horizon 2020 grant; EU contribution of about 5 million euros.",
        "trl": 6,
        "trl_evidence": "Pilots at two land crossings over four weeks each, with real traffic.",
        "contact_name": "Dr Rosa Weber",
        "contact_role": "Technical coordinator",
        "contact_email": "research@example.org",
    },
    "telos": {
        "technical_trl": 6,
        "technical_answer": "The kit works end to end; the CO2 probe is still a prototype.",
        "technical_measured": "Two pilots, 1,200 vehicles checked, 14 hidden persons found.",
        "economic_answer": "About 20 minutes saved per inspected lorry compared to a manual search.",
        "economic_measured": "Timed by the pilot teams against their usual procedure.",
        "legal_answer": "No personal data is stored; thermal images are deleted after the check.",
        "legal_measured": "Data protection impact assessment reviewed by the ethics board.",
        "operational_answer": "Fewer manual searches and safer checks for officers.",
        "operational_measured": "Questionnaires of the 23 officers who used it in the pilots.",
        "scheduling_answer": "A market-ready version in 18 months, maintained by the SME partner.",
        "scheduling_measured": "Plan approved by the partners, with committed follow-up funding.",
    },
    "scenario": {
        "when": "During second-line checks of lorries at a busy land border crossing.",
        "who": "First-line and second-line border guards, and their shift supervisor.",
        "where": "In the inspection lane, with the supervisor at the control room screen.",
        "what": "Alerts on hidden persons; the common picture of all sensors in one view.",
        "how": "Sensors on a mobile mast, a rugged tablet; one hour of training.",
        "why": "Faster, safer checks that find what a manual search misses.",
        "would": "yes",
        "would_explanation": "One alert format would let neighbouring services share alerts.",
        "presentation_formats": ["video", "live_demo"],
        "presentation_equipment": "A screen and a network connection for the live demonstration.",
        "nature": "real",
        "nature_basis": "Built on the two pilots of the project.",
    },
}
# Projects of the shipped data shown at the demo's events, in order of preference.
DEMO_SHOWCASE_PROJECTS = ["ROBORDER", "FOLDOUT", "TRESSPASS", "COMPASS2020", "ANDROMEDA"]


def _demo_projects(count: int):
    from .models import ResearchProject

    preferred = list(ResearchProject.objects.filter(acronym__in=DEMO_SHOWCASE_PROJECTS))
    preferred.sort(key=lambda p: DEMO_SHOWCASE_PROJECTS.index(p.acronym))
    others = ResearchProject.objects.exclude(pk__in=[p.pk for p in preferred]).order_by("pk")
    return (preferred + list(others[:count]))[:count]


def _feedback_answer(survey, member, values: dict) -> None:
    """A submitted feedback response, as the answer page would store it."""
    from .services.surveys import public_invitation_get

    invitation = public_invitation_get(survey=survey, member=member)
    now = timezone.now()
    response = Response.objects.create(
        survey=survey, invitation=invitation, status=Response.Status.SUBMITTED,
        started_at=now, updated_at=now, submitted_at=now, **respondent_snapshot(member),
    )  # fmt: skip
    Answer.objects.bulk_create(
        Answer(response=response, question=question, value=values[question.metric])
        for question in survey.questions.all()
        if question.metric in values
    )
    invitation.has_answered = True
    invitation.save(update_fields=["has_answered"])


def seed_showcase(*, coordinator, holder, second_holder, attendees) -> None:
    """A project with its three documents approved, shown at a past showcase event whose
    attendees answered the feedback (so it has an interest score), and its follow-up webinar;
    a second project whose documents wait for review. Made once."""
    from .models import DocumentKind, ShowcaseEvent
    from .services.documents import (
        document_draft_save,
        document_for,
        document_review,
        document_submit,
    )
    from .services.events import (
        agenda_add,
        attendance_mark,
        registration_create,
        showcase_create,
    )
    from .services.feedback import feedback_survey_create
    from .services.projects import project_holder_grant

    if ShowcaseEvent.objects.exists():
        return
    first, second = _demo_projects(2)
    project_holder_grant(actor=coordinator, project=first, member=holder)
    project_holder_grant(actor=coordinator, project=second, member=second_holder)
    for kind in DocumentKind.values:
        document = document_for(first, kind)
        # The ID card keeps what the project database filled in (programme, dates).
        document_draft_save(actor=holder, document=document, data=DOCUMENT_TEXTS[kind],
                            partial=True)  # fmt: skip
        document_submit(actor=holder, document=document)
        document_review(actor=coordinator, document=document, decision="approved")
    # The second project: its ID card waits for review, its TELOS came back with a comment.
    card = document_for(second, DocumentKind.ID_CARD)
    document_draft_save(actor=second_holder, document=card, data=DOCUMENT_TEXTS["id_card"],
                        partial=True)  # fmt: skip
    document_submit(actor=second_holder, document=card)
    telos = document_for(second, DocumentKind.TELOS)
    document_draft_save(actor=second_holder, document=telos, data=DOCUMENT_TEXTS["telos"])
    document_submit(actor=second_holder, document=telos)
    document_review(actor=coordinator, document=telos, decision="changes_requested",
                    comments=[("economic", "Give the figures per border crossing, not overall.")])  # fmt: skip

    start = timezone.now() + timedelta(days=1)
    showcase = showcase_create(
        actor=coordinator, format=ShowcaseEvent.Format.SHOWCASE, capacity=40,
        categories=["lea", "decision", "procurement"], title="Border security showcase",
        tier="members", starts_at=start, ends_at=start + timedelta(hours=4),
        location="Brussels", online_url="", description="Research results for border guards.",
    )  # fmt: skip
    agenda_add(
        actor=coordinator, showcase=showcase, project=first, presenter=holder.get_full_name()
    )
    registrations = [
        registration_create(member=member, showcase=showcase, category="lea")
        for member in attendees
    ]
    # The showcase took place two weeks ago.
    past = timezone.now() - timedelta(days=14)
    Event.objects.filter(pk=showcase.event_id).update(
        starts_at=past, ends_at=past + timedelta(hours=4)
    )
    showcase.event.refresh_from_db()
    attendance_mark(actor=coordinator, showcase=showcase,
                    registration_ids=[r.pk for r in registrations])  # fmt: skip
    survey = feedback_survey_create(actor=coordinator, showcase=showcase)
    answers = [
        {"relevance": 5, "effectiveness": 4, "colleagues": "Yes", "further_sessions": "Yes"},
        {"relevance": 4, "effectiveness": 4, "colleagues": "Maybe", "further_sessions": "Yes"},
    ]
    for member, values in zip(attendees, answers, strict=False):
        choices = {q.metric: q.choices for q in survey.questions.all() if q.choices}
        _feedback_answer(survey, member, {
            key: (choices[key][["Yes", "Maybe", "No"].index(v)] if key in choices else v)
            for key, v in values.items()
        })  # fmt: skip
    webinar_start = timezone.now() + timedelta(days=10)
    showcase_create(
        actor=coordinator, format=ShowcaseEvent.Format.WEBINAR, project=first, capacity=25,
        categories=["lea", "procurement"], follow_up_of=showcase,
        title=f"{first.acronym or first.title[:60]}: a closer look", tier="members",
        starts_at=webinar_start, ends_at=webinar_start + timedelta(hours=1), location="",
        online_url="https://meet.example.org/ileanet-webinar",
        description="A targeted webinar after the showcase's feedback.",
    )  # fmt: skip
