"""The Knowledge Factory on the home page: every member is shown the way in; a reviewer is
told how many submissions they may read wait for review — never counting one they may not."""

from django.urls import reverse

from tests.knowledge_factory.item_helpers import make_knowledge_manager, submit


def test_reviewers_see_what_waits_for_them_and_members_the_way_in(
    make_member, lea_member, researcher, client_for
):
    # given a members' submission and an LEA-only one
    reviewer = make_knowledge_manager(make_member)
    submit(researcher, title="Members' study")
    submit(lea_member, title="LEA-only study", tier="lea")

    # when a (non-LEA) knowledge manager and a member open their home page
    home = reverse("community:home")
    reviewer_page = client_for(reviewer).get(home).content.decode()
    member_page = client_for(researcher).get(home).content.decode()

    # then the reviewer's count leaves out what they may not read
    assert "1 Knowledge Factory submission to review" in reviewer_page
    assert reverse("knowledge_factory:review-queue") in reviewer_page
    assert "submission to review" not in member_page
    assert "submissions to review" not in member_page
    for page in (reviewer_page, member_page):
        assert reverse("knowledge_factory:index") in page
        assert reverse("knowledge_factory:my-items") in page
