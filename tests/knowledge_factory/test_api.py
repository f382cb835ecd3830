"""Knowledge Factory items in the REST API: the list's filters and search, the caller's own
submissions, submitting (JSON and multipart, the same validation as the page, errors keyed by
field), and the list's query budget."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from community.models import AffiliationType, Domain
from knowledge_factory.models import Item
from knowledge_factory.services.items import item_publish, item_request_changes
from tests.api.conftest import token_client
from tests.ipup.factories import NeedFactory, ResearchProjectFactory

from .item_helpers import make_knowledge_manager, pdf, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def knowledge_manager(make_member):
    return make_knowledge_manager(make_member)


LIST = reverse("api:knowledge-item-list")
MINE = reverse("api:knowledge-item-mine")


def _submission(**fields):
    data = {
        "type": "study",
        "title": "Forensics of encrypted phones",
        "summary": "What labs can still read.",
        "body": "Findings *here*.",
        "access_level": "members",
        "tags": ["Forensics", "mobile phones"],
        "domains": ["cybercrime"],
        "source_url": "https://example.org/study",
    }
    data.update(fields)
    return data


def test_a_member_submits_an_item_with_a_token(researcher, token_for, knowledge_manager):
    from community.services.api_tokens import api_token_create

    client = token_client(api_token_create(actor=researcher, name="script")[1])
    project = ResearchProjectFactory()

    response = client.post(LIST, _submission(project=project.pk), content_type="application/json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["tags"] == ["forensics", "mobile phones"]
    assert body["project"] == project.pk
    item = Item.objects.get()
    assert item.author == researcher
    assert list(item.domains.values_list("slug", flat=True)) == ["cybercrime"]
    assert item.events.get().action == "submitted"


@pytest.fixture
def token_for():
    from community.services.api_tokens import api_token_create

    return lambda member: api_token_create(actor=member, name="script")[1]


def test_a_file_is_submitted_as_multipart(client_for, researcher):
    data = _submission(file=pdf())
    response = client_for(researcher).post(LIST, data)

    assert response.status_code == 201, response.json()
    assert Item.objects.get().file.name.endswith(".pdf")
    assert response.json()["file"].endswith(f"/knowledge/{Item.objects.get().pk}/file/")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"tags": ["x" * 10_000]}, "tags"),
        ({"tags": [f"t{i}" for i in range(11)]}, "tags"),
        ({"title": "Nul\x00"}, "title"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"access_level": "lea"}, "access_level"),
        ({"domains": ["no-such-domain"]}, "domains"),
        ({"project": 999_999}, "project"),
    ],
)
def test_bad_submissions_are_400_keyed_by_field_and_nothing_is_saved(
    client_for, researcher, fields, field
):
    response = client_for(researcher).post(
        LIST, _submission(**fields), content_type="application/json"
    )

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Item.objects.exists()


def test_a_need_the_caller_may_not_read_is_refused_as_if_it_did_not_exist(client_for, researcher):
    hidden = NeedFactory(tier="lea")

    response = client_for(researcher).post(
        LIST, _submission(need=hidden.pk), content_type="application/json"
    )
    missing = client_for(researcher).post(
        LIST, _submission(need=999_999), content_type="application/json"
    )

    assert response.status_code == missing.status_code == 400
    assert response.json() == missing.json()


def test_a_file_of_the_wrong_type_is_refused(client_for, researcher):
    response = client_for(researcher).post(LIST, _submission(file=pdf("x.pdf", b"MZ not a pdf")))

    assert response.status_code == 400
    assert "file" in response.json()
    assert not Item.objects.exists()


def test_mine_lists_the_callers_submissions_with_their_review(
    client_for, researcher, industry_member, knowledge_manager
):
    item = submit(researcher)
    item_request_changes(actor=knowledge_manager, item=item, note="Add a source.")
    submit(industry_member, title="Someone else's")

    rows = client_for(researcher).get(MINE).json()["results"]

    assert [(r["title"], r["status"], r["review_note"]) for r in rows] == [
        (item.title, "changes", "Add a source.")
    ]
    # an item waiting for review is not in the published list, even for its author
    assert client_for(researcher).get(LIST).json()["count"] == 0


def test_the_list_filters_and_searches(client_for, researcher, knowledge_manager, make_member):
    author = make_member(AffiliationType.RESEARCH, email="a@example.org")
    border = Domain.objects.exclude(slug="cybercrime").first()
    old = item_publish(
        actor=knowledge_manager,
        item=submit(author, title="Maritime surveillance with satellites", type="report",
                    published_on="2019-03-01", domains=[border], tags=["satellites"]),
    )  # fmt: skip
    new = item_publish(
        actor=knowledge_manager,
        item=submit(author, title="Ransomware negotiation", type="article",
                    summary="Negotiating with ransomware gangs.", tags=["ransomware"]),
    )  # fmt: skip
    client = client_for(researcher)

    def titles(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.json()
        return [row["title"] for row in response.json()["results"]]

    assert titles() == [new.title, old.title]
    assert titles(type="report") == [old.title]
    assert titles(domain=border.slug) == [old.title]
    assert titles(tag="ransomware") == [new.title]
    assert titles(year=2019) == [old.title]
    assert titles(q='"maritime surveillance"') == [old.title]
    assert titles(q="ransomware -negotiation") == []
    assert titles(q="the of and") == []
    assert client.get(LIST, {"q": "x" * 10_000}).status_code == 400
    assert client.get(LIST, {"year": "nineteen"}).status_code == 400


def test_the_list_costs_the_same_for_more_items(
    client_for, researcher, knowledge_manager, make_member, django_assert_max_num_queries
):
    author = make_member(AffiliationType.RESEARCH, email="a@example.org")
    need = NeedFactory()

    def grow(n):
        for i in range(n):
            item_publish(
                actor=knowledge_manager,
                item=submit(author, title=f"Item {n}-{i}", tags=["a", f"t{i}"], need=need,
                            domains=Domain.objects.all()[:2]),
            )  # fmt: skip

    client = client_for(researcher)
    grow(2)
    client.get(LIST)
    with django_assert_max_num_queries(20) as small:
        client.get(LIST)
    grow(15)
    with django_assert_max_num_queries(len(small)):
        response = client.get(LIST)
    assert response.json()["count"] == 17
    assert response.json()["results"][0]["need"] == need.pk


def test_the_endpoints_are_in_the_openapi_schema_without_warnings_of_their_own(tmp_path, capsys):
    call_command("spectacular", "--validate", "--file", str(tmp_path / "s.yml"))
    schema = (tmp_path / "s.yml").read_text()
    assert "/api/v1/knowledge/items/" in schema
    assert "/api/v1/knowledge/items/mine/" in schema
    assert "AccessLevelEnum" in schema
    warnings = capsys.readouterr().err
    assert "knowledge" not in warnings.lower()
    assert '"tier"' not in warnings
