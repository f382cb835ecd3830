"""Demo data: organisations, the first charter and one account per role. Idempotent: a second
run updates what is there and creates nothing twice."""

from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from community import services
from community.demo import seed_decisions, seed_network, seed_rooms
from community.models import AffiliationType, Charter, Domain, Organisation, RoleLevel, User
from community.roles import ADMIN_SITE_ROLES, Role
from community.selectors import charter_current, mfa_required
from ipip.demo import seed_checklist
from ipup.demo import seed_needs_survey, seed_projects, seed_showcase
from ipup.models import ShowcaseEvent
from knowledge_factory.demo import seed_knowledge

DEMO_PASSWORD = "ILEAnet-demo-2026"  # noqa: S105 - printed for the demo on purpose

ORGANISATIONS = [
    ("Police nationale", "FR", AffiliationType.LEA),
    ("Bundeskriminalamt", "DE", AffiliationType.LEA),
    ("Politie Nederland", "NL", AffiliationType.LEA),
    ("Policía Nacional", "ES", AffiliationType.LEA),
    ("Police fédérale", "BE", AffiliationType.LEA),
    ("Secure Systems Research Institute", "AT", AffiliationType.RESEARCH),
    ("Baltic Forensics Technologies", "EE", AffiliationType.INDUSTRY),
    ("Ministry of the Interior", "PT", AffiliationType.POLICY),
    ("ILEAnet Coordination Office", "BE", AffiliationType.OTHER),
]

# fmt: off
# e-mail, first name, last name, organisation, affiliation, verified, role level, roles, superuser
ACCOUNTS = [
    ("admin@example.org", "Ada", "Admin", "ILEAnet Coordination Office", AffiliationType.OTHER, True, RoleLevel.MANAGEMENT, [Role.ADMINISTRATOR], True),
    ("manager@example.org", "Marie", "Dubois", "ILEAnet Coordination Office", AffiliationType.OTHER, True, RoleLevel.MANAGEMENT, [Role.COMMUNITY_MANAGER], False),
    ("knowledge@example.org", "Karl", "Huber", "Secure Systems Research Institute", AffiliationType.RESEARCH, True, RoleLevel.MANAGEMENT, [Role.KNOWLEDGE_MANAGER], False),
    ("coordinator@example.org", "Carla", "Ferreira", "ILEAnet Coordination Office", AffiliationType.OTHER, True, RoleLevel.MANAGEMENT, [Role.IPUP_COORDINATOR], False),
    ("contact@example.org", "Pieter", "Janssens", "Police fédérale", AffiliationType.LEA, True, RoleLevel.STRATEGIC, [Role.NATIONAL_CONTACT], False),
    ("lea@example.org", "Luc", "Martin", "Police nationale", AffiliationType.LEA, True, RoleLevel.FIELD, [], False),
    ("lea2@example.org", "Lena", "Schmidt", "Bundeskriminalamt", AffiliationType.LEA, True, RoleLevel.MANAGEMENT, [], False),
    ("industry@example.org", "Ivo", "Tamm", "Baltic Forensics Technologies", AffiliationType.INDUSTRY, True, RoleLevel.MANAGEMENT, [], False),
    ("research@example.org", "Rosa", "Weber", "Secure Systems Research Institute", AffiliationType.RESEARCH, True, RoleLevel.FIELD, [], False),
    ("policy@example.org", "Paulo", "Silva", "Ministry of the Interior", AffiliationType.POLICY, True, RoleLevel.STRATEGIC, [], False),
    ("pending@example.org", "Petra", "Novak", "Secure Systems Research Institute", AffiliationType.RESEARCH, False, RoleLevel.FIELD, [], False),
]
# fmt: on

# The domains of expertise of the practitioners' accounts, so the directory and its domain
# filter have something to show.
DEMO_DOMAINS = {
    "contact@example.org": ["terrorism", "information-sharing"],
    "lea@example.org": ["cybercrime", "serious-organised-crime"],
    "lea2@example.org": ["migration-border-management"],
    "industry@example.org": ["cybercrime"],
    "research@example.org": ["terrorism", "lea-involvement-in-research"],
    "policy@example.org": ["migration-border-management", "information-sharing"],
    "pending@example.org": ["cybercrime"],
}

CHARTER_TITLE = "ILEAnet community charter"
CHARTER_BODY = """\
ILEAnet is a trusted network. By joining, you agree to these rules.

1. **Confidentiality.** What is posted in a restricted room stays there. Do not copy, forward or
   quote it outside the platform, and never share operational details that could identify
   people, ongoing cases or tactics.
2. **Respect.** Discuss ideas, not people. Practitioners, researchers, industry and policy makers
   each bring a view the others need.
3. **No selling.** Industry members may present solutions where invited to; unsolicited
   advertising is removed.
4. **Accuracy.** Say where information comes from, and correct yourself when you are wrong.
5. **Your account is yours alone.** Keep your second factor safe and do not share your access.
6. **Moderation.** Moderators may hide posts, lock threads or suspend members who break these
   rules. Every moderation action is logged.

How your personal data is handled is explained on the data-management page.
"""


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo accounts."

    def handle(self, *args, **options):
        if settings.IS_PRODUCTION:
            # Its accounts, administrator included, share a password printed in the README.
            raise CommandError(
                "seed_demo creates accounts with a published password: it does not run under "
                "production settings (DJANGO_ENV=production)."
            )
        self._seed()

    @transaction.atomic
    def _seed(self):
        organisations = {
            name: Organisation.objects.update_or_create(
                name=name, country=country, defaults={"type": kind}
            )[0]
            for name, country, kind in ORGANISATIONS
        }
        admin_user = self._account(ACCOUNTS[0], organisations, verifier=None)
        charter = charter_current()
        if charter is None:
            charter = services.charter_publish(
                actor=admin_user, title=CHARTER_TITLE, body=CHARTER_BODY
            )
            Charter.objects.filter(pk=charter.pk).update(published_at=timezone.now())
        rows = []
        for account in ACCOUNTS:
            user = self._account(account, organisations, verifier=admin_user)
            services.charter_accept(user=user, charter=charter)
            roles = account[7]
            secret = self._mfa(user) if mfa_required(user) else ""
            rows.append(
                (
                    user.email,
                    ", ".join(str(r.label) for r in roles) or "—",
                    user.get_affiliation_type_display(),
                    "yes" if user.is_affiliation_verified else "no",
                    secret or "—",
                )
            )
        seed_rooms(manager=User.objects.get(email="manager@example.org"))
        seed_network(manager=User.objects.get(email="manager@example.org"))
        seed_decisions()
        seed_needs_survey(actor=User.objects.get(email="coordinator@example.org"))
        seed_projects()
        accounts = {
            user.email: user for user in User.objects.filter(email__endswith="@example.org")
        }
        seed_showcase(
            coordinator=accounts["coordinator@example.org"],
            holder=accounts["research@example.org"],
            second_holder=accounts["industry@example.org"],
            attendees=[accounts["lea@example.org"], accounts["lea2@example.org"]],
        )
        showcased = ShowcaseEvent.objects.filter(format="webinar").first()
        if showcased:
            seed_checklist(coordinator=accounts["coordinator@example.org"],
                           project=showcased.project)  # fmt: skip
        seed_knowledge(
            knowledge_manager=accounts["knowledge@example.org"],
            community_manager=accounts["manager@example.org"],
            author=accounts["research@example.org"],
            lea_member=accounts["lea@example.org"],
        )
        self._print(rows)

    def _account(self, account, organisations, verifier):
        email, first, last, org, affiliation, verified, level, roles, superuser = account
        user, _created = User.objects.get_or_create(email=email)
        user.first_name, user.last_name = first, last
        user.organisation = organisations[org]
        user.country = organisations[org].country
        user.affiliation_type = affiliation
        user.role_level = level
        user.is_superuser = superuser
        user.is_staff = superuser or any(r in ADMIN_SITE_ROLES for r in roles)
        if verified and not user.affiliation_verified_at:
            user.affiliation_verified_at = timezone.now()
            user.affiliation_verified_by = verifier or user
        if not verified:
            user.affiliation_verified_at = user.affiliation_verified_by = None
        user.set_password(DEMO_PASSWORD)
        # Demo accounts are not welcomed by e-mail (it would print at every first run).
        user.welcome_sent_at = user.welcome_sent_at or timezone.now()
        user.save()
        user.groups.set([Group.objects.get(name=r.value) for r in roles])
        user.domains.set(Domain.objects.filter(slug__in=DEMO_DOMAINS.get(email, ())))
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _mfa(self, user) -> str:
        authenticator = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is None:
            secret = generate_totp_secret()
            TOTP.activate(user, secret)
            RecoveryCodes.activate(user)
            return secret
        return get_mfa_adapter().decrypt(authenticator.data["secret"])

    def _print(self, rows):
        header = ("e-mail", "role", "affiliation", "verified", "TOTP secret (MFA)")
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        line = "  ".join(f"{{:<{w}}}" for w in widths)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo accounts — password for all: " + DEMO_PASSWORD))
        self.stdout.write(line.format(*header))
        self.stdout.write(line.format(*("-" * w for w in widths)))
        for row in rows:
            self.stdout.write(line.format(*row))
        self.stdout.write(
            "Add a TOTP secret to any authenticator app (issuer ILEAnet) to sign in as that account."
        )
