"""French typography (issue 11): French puts a non-breaking space before ":", English none, so a
colon written in a template after translated words or a value is wrong in one of the languages.
Templates write it as {% translate ":" %} (Django's catalogue gives French its "\u00a0:")."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

BASE_DIR = Path(settings.BASE_DIR)
TEMPLATES = [
    path
    for pattern in ("templates/**/*", "*/templates/**/*")
    for path in BASE_DIR.glob(pattern)
    if path.suffix in (".html", ".txt") and ".venv" not in path.parts
]
# A colon right after a tag or a variable ("...%}:", "...}}:", "</strong>:"), not a URL's.
BARE_COLON = re.compile(r"(%\}|\}\}|</\w+>):(?!//)")
# Inside a translated sentence the colon is the translator's.
TRANSLATED = re.compile(r"\{% blocktranslate.*?\{% endblocktranslate %\}")


def test_no_template_writes_a_bare_colon_after_words_that_are_translated():
    offenders = [
        f"{path.relative_to(BASE_DIR)}:{number}"
        for path in TEMPLATES
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if BARE_COLON.search(TRANSLATED.sub("", line))
    ]

    assert offenders == []


def test_the_translated_colon_is_spaced_in_french_only():
    with translation.override("fr"):
        french = translation.gettext(":")
    with translation.override("en"):
        english = translation.gettext(":")

    assert (english, french) == (":", "\u00a0:")
