"""The stored search vectors of Knowledge Factory items (read by the faceted search and the
global search): ``search_vector`` weighs the title A, the summary and tags B, the text C;
``title_vector`` holds the title alone. Refreshed by the services after every write, in SQL
so that a bulk load (imports, the bench) uses the same function."""

import uuid
from collections.abc import Iterable

from django.db import connection

CONFIG = "english"

_REFRESH = """
UPDATE knowledge_factory_item i
SET title_vector = to_tsvector(%(config)s, i.title),
    search_vector =
        setweight(to_tsvector(%(config)s, i.title), 'A')
        || setweight(to_tsvector(%(config)s, coalesce(i.summary, '') || ' ' || coalesce((
               SELECT string_agg(t.name, ' ')
               FROM taggit_taggeditem ti JOIN taggit_tag t ON t.id = ti.tag_id
               WHERE ti.object_id = i.id AND ti.content_type_id = %(content_type)s
           ), '')), 'B')
        || setweight(to_tsvector(%(config)s, coalesce(i.body, '')), 'C')
WHERE i.id = ANY(%(ids)s)
"""

_NEW_VERSION = """
INSERT INTO knowledge_factory_catalogueversion (id, token) VALUES (1, %(token)s)
ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token
"""


def item_index(ids: Iterable[int]) -> None:
    """Refresh the stored vectors of the items ``ids`` (after a create, an edit, a tag change)."""
    from django.contrib.contenttypes.models import ContentType

    from .models import Item

    ids = list(ids)
    if not ids:
        return
    content_type = ContentType.objects.get_for_model(Item).pk
    with connection.cursor() as cursor:
        cursor.execute(_REFRESH, {"config": CONFIG, "content_type": content_type, "ids": ids})
        # In the same transaction: the cached counts of the catalogue are stale from its commit.
        cursor.execute(_NEW_VERSION, {"token": uuid.uuid4().hex})
