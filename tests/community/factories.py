import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from community.models import AffiliationType, Charter, Organisation, User

TEST_PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name", "country")

    name = factory.Sequence(lambda n: f"Organisation {n}")
    country = "FR"
    type = AffiliationType.LEA


class UserFactory(factory.django.DjangoModelFactory):
    """A verified member with a verified e-mail address (tests opt out with traits)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    country = "FR"
    organisation = factory.SubFactory(OrganisationFactory)
    affiliation_type = AffiliationType.RESEARCH
    affiliation_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    class Params:
        unverified = factory.Trait(affiliation_verified_at=None)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()


class CharterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Charter

    version = factory.Sequence(lambda n: n + 1)
    title = "Community charter"
    body = "Be kind. **Keep restricted content where it was posted.**"


class RoomFactory(factory.django.DjangoModelFactory):
    """A room; threads and posts are made with the forum services (they keep the counters)."""

    class Meta:
        model = "community.Room"

    name = factory.Sequence(lambda n: f"Room {n}")
    slug = factory.Sequence(lambda n: f"room-{n}")
    description = "A room for tests."
    tier = "members"
