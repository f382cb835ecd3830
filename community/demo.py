"""Demo rooms and discussions for ``seed_demo`` (topics from the ILEAnet final recommendations:
the top LEA challenges of each domain). Idempotent: a room that already has threads is left
alone."""

from .models import Domain, Room, User
from .services import forum
from .tiers import Tier

# slug, name, tier, private, domain slug, description
ROOMS = [
    ("announcements", "Announcements", Tier.PUBLIC, False, None,
     "News from the ILEAnet community managers, open to everyone."),
    ("practitioners-lounge", "Practitioners' lounge", Tier.LEA, False, None,
     "The secure area for law enforcement practitioners only."),
    ("border-migration-lea", "Border & migration — practitioners", Tier.LEA, False,
     "migration-border-management", "Operational challenges at the borders, LEA members only."),
    ("cybercrime-lea-industry", "Cybercrime — practitioners & industry", Tier.LEA_INDUSTRY, False,
     "cybercrime", "Where investigators and solution providers discuss tools and needs."),
    ("research-meets-practice", "Research meets practice", Tier.LEA_RESEARCH, False,
     "lea-involvement-in-research", "Researchers and practitioners shaping research together."),
    ("network-cafe", "Network café", Tier.MEMBERS, False, None,
     "Open to every verified member: introductions, events, general questions."),
    ("national-contacts", "National contact points", Tier.LEA, True, "information-sharing",
     "Private room of the national contact points."),
]  # fmt: skip

# room slug, title, [(author e-mail, body), ...]: the first post opens the thread
THREADS = [
    ("announcements", "Welcome to the ILEAnet platform", [
        ("manager@example.org", "The platform is open. Start with the **charter**, complete your "
         "profile and join the rooms of your domains."),
    ]),
    ("practitioners-lounge", "Intelligence gathering from irregular migrants", [
        ("lea@example.org", "How do your units debrief people intercepted at the border without "
         "compromising their asylum procedure? We keep the two interviews strictly separate."),
        ("lea2@example.org", "Same here. We also record which interpreter was present; it matters "
         "later when the information is used in a smuggling case."),
        ("contact@example.org", "@lea could you share your interview template? Several national "
         "contacts asked for it."),
    ]),
    ("border-migration-lea", "Detecting fraudulent documents at first line", [
        ("lea2@example.org", "Which portable readers give first-line officers a reliable check of "
         "chip and printing? Our current devices miss high-quality look-alikes."),
        ("lea@example.org", "We tested three readers last year. The difference came from the "
         "reference database, not the hardware."),
    ]),
    ("cybercrime-lea-industry", "Tracing the criminal use of cryptocurrencies", [
        ("industry@example.org", "We build tools that cluster wallet addresses. What do investigators "
         "need most: attribution, real-time alerts or court-ready reports?"),
        ("lea@example.org", "Court-ready reports. Attribution is useless if we cannot explain it "
         "to a judge."),
    ]),
    ("research-meets-practice", "Monitoring Darknet markets: what data can research use?", [
        ("research@example.org", "Our ethics board asks which data LEAs could share for a study of "
         "Darknet vendor behaviour. Is an anonymised extract realistic?"),
        ("lea2@example.org", "Possible, through a research agreement with our legal department. "
         "Count on several months."),
    ]),
    ("network-cafe", "Joint Investigation Teams: lessons learnt", [
        ("policy@example.org", "We are preparing guidance on forming Joint Investigation Teams. What "
         "slowed your last JIT down?"),
        ("research@example.org", "Differences in evidence rules between Member States, according "
         "to the interviews we ran."),
    ]),
    ("national-contacts", "Handover of national contact duties", [
        ("contact@example.org", "Reminder: tell the community managers before you leave your post, "
         "so that your deputy can take over without a gap."),
    ]),
]  # fmt: skip


def seed_rooms(*, manager: User) -> list[Room]:
    users = {u.email: u for u in User.objects.all()}
    domains = {d.slug: d for d in Domain.objects.all()}
    rooms = {}
    for slug, name, tier, private, domain, description in ROOMS:
        room = Room.objects.filter(slug=slug).first() or forum.room_create(
            actor=manager, slug=slug, name=name, tier=tier, is_private=private,
            domain=domains.get(domain), description=description,
        )  # fmt: skip
        rooms[slug] = room
    forum.room_grant(
        actor=manager, room=rooms["national-contacts"], member=users["contact@example.org"]
    )
    forum.room_grant(
        actor=manager, room=rooms["practitioners-lounge"], member=users["contact@example.org"],
        moderator=True,
    )  # fmt: skip
    for slug, title, posts in THREADS:
        room = rooms[slug]
        if room.threads.exists():
            continue
        (first_author, first_body), *replies = posts
        thread = forum.thread_create(
            actor=users[first_author], room=room, title=title, body=first_body
        )
        for reply_author, body in replies:
            forum.post_create(actor=users[reply_author], thread=thread, body=body)
    return list(rooms.values())


# --- The network: national contacts, news and the calendar ----------------------------------------

NEWS = [
    ("Needs survey 2026: the results are in", "members",
     "Thank you to the officers of eight countries who answered the **2026 needs survey**. The "
     "ranked challenges of each domain are now in the needs catalogue; the top ones go to the "
     "screening of research projects next."),
    ("Secure area: new room for border practitioners", "lea",
     "A room for practitioners working at the external borders is open in the secure area. "
     "Operational details stay there: please read the charter's confidentiality rule again."),
]  # fmt: skip

# title, kind, tier, days from now, hours, place, description
EVENTS = [
    ("Workshop: information sharing across borders", "workshop", "members", 21, 6, "Brussels",
     "A day with practitioners and researchers on the information-sharing recommendations."),
    ("National contact points: quarterly meeting", "contacts", "lea", 10, 2, "",
     "Online meeting of the national contact points and their deputies."),
    ("Webinar: detecting drones at critical sites", "webinar", "public", 35, 1, "",
     "Three research projects present their results, followed by questions from the field."),
]  # fmt: skip


def seed_network(*, manager: User) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from .models import Event, NationalContact, NewsPost
    from .services.calendar import event_create
    from .services.network import national_contact_assign
    from .services.news import news_publish

    contact = User.objects.get(email="contact@example.org")
    if not NationalContact.objects.filter(member=contact).exists():
        national_contact_assign(actor=manager, country="BE", role="contact", member=contact)
    for title, tier, body in NEWS:
        if not NewsPost.objects.filter(title=title).exists():
            news_publish(actor=manager, title=title, body=body, tier=tier, email_to="nobody")
    start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    for title, kind, tier, days, hours, place, description in EVENTS:
        if not Event.objects.filter(title=title).exists():
            event_create(
                actor=manager,
                title=title,
                kind=kind,
                tier=tier,
                starts_at=start + timedelta(days=days),
                ends_at=start + timedelta(days=days, hours=hours),
                location=place,
                description=description,
            )


def seed_decisions() -> None:
    """Something on each of the manager's decision pages: an application naming an
    organisation that is not listed (approving it means choosing or adding it), and a verified
    officer asking for a higher role level (it counts only once confirmed)."""
    from .models import MembershipApplication, RoleLevel
    from .services import application_submit, member_facts_declare

    if not MembershipApplication.objects.filter(email="applicant@example.org").exists():
        application_submit(
            email="applicant@example.org",
            first_name="Giulia",
            last_name="Romano",
            organisation_name="Guardia di Finanza — Nucleo Example",
            country="IT",
            affiliation_type="lea",
            position="Financial crime investigator",
            motivation="We trace criminal money across borders and want to compare tools.",
        )
    officer = User.objects.get(email="lea@example.org")
    member_facts_declare(
        member=officer, role_level=RoleLevel.MANAGEMENT, organisation=officer.organisation
    )
