from django.urls import path

from .views import browse, curation, items, newsletters

app_name = "knowledge_factory"

urlpatterns = [
    # --- browse, faceted search, follows, feed (views/browse.py) ---
    path("", browse.index, name="index"),
    path("following/", browse.following, name="following"),
    path("following/add/", browse.follow, name="follow"),
    path("following/remove/", browse.unfollow, name="unfollow"),
    path("feed/address/", browse.feed_renew, name="feed-renew"),
    path("feed/<str:token>.atom", browse.ItemFeed(), name="feed"),
    # --- items: submit, detail, edit, file, history, review queue and actions (views/items.py) ---
    path("submit/", items.item_submit_page, name="submit"),
    path("mine/", items.my_items, name="my-items"),
    path("reviews/", items.review_queue, name="review-queue"),
    path("<int:pk>/", items.item_detail, name="item"),
    path("<int:pk>/edit/", items.item_edit, name="item-edit"),
    path("<int:pk>/file/", items.item_file, name="item-file"),
    path("<int:pk>/review/", items.item_review, name="item-review"),
    # --- tag hygiene (views/curation.py) ---
    path("tags/", curation.tag_list, name="tag-list"),
    path("tags/merge/", curation.tag_merge, name="tag-merge"),
    path("tags/<int:pk>/rename/", curation.tag_rename, name="tag-rename"),
    path("tags/delete-unused/", curation.tag_delete_unused, name="tag-delete-unused"),
    # --- newsletters (views/newsletters.py) ---
    path("newsletters/", newsletters.newsletter_list, name="newsletter-list"),
    path("newsletters/<int:pk>/", newsletters.newsletter_edit, name="newsletter-edit"),
    path("newsletters/<int:pk>/pdf/", newsletters.newsletter_pdf, name="newsletter-pdf"),
    path(
        "newsletters/<int:pk>/publish/", newsletters.newsletter_publish, name="newsletter-publish"
    ),
]
