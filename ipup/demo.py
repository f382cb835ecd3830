"""Demo data for IPUP (seed_demo): the top challenges of the four focus domains, as the
ILEAnet desk studies and surveys ranked them, one closed needs survey answered by LEA
officers of several countries and role levels, and the real H2020 and FP7 Security research
projects. Idempotent."""

import random
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from community.models import AffiliationType, Domain, Organisation, RoleLevel, User

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
