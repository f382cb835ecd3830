"""What a French reader sees is our French (issue 11): a catalogue can be complete while the
screen shows another app's translation of the same words (allauth's, guardian's, the admin's
win over an app installed after them). These tests read the rendered pages and the translation
machinery the pages use, not the catalogue files."""

import gettext

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.test_i18n import CATALOGUES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    yield
    translation.deactivate()


def _our_french() -> dict[str, set[str]]:
    """Every msgid our French catalogues translate (context-qualified ones included), with the
    translations they give it (two of our catalogues may word the same English differently:
    one of them is then shown, and either is ours)."""
    ours = {}
    for po in CATALOGUES:
        if "/fr/" not in str(po):
            continue
        with po.with_suffix(".mo").open("rb") as mo:
            catalogue = gettext.GNUTranslations(mo)._catalog
        for msgid, msgstr in catalogue.items():
            if isinstance(msgid, str) and msgid and msgstr:
                ours.setdefault(msgid, set()).add(msgstr)
    return ours


def _shown_in_french(msgid: str) -> str:
    if "\x04" in msgid:
        return translation.pgettext(*msgid.split("\x04", 1))
    return translation.gettext(msgid)


def test_every_string_we_translate_is_shown_with_our_translation():
    ours = _our_french()
    with translation.override("fr"):
        shown = {msgid: _shown_in_french(msgid) for msgid in ours}

    overridden = {
        msgid: (sorted(ours[msgid]), shown[msgid])
        for msgid in ours
        if shown[msgid] not in ours[msgid]
    }
    assert overridden == {}


def _french(client, url):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(url)
    assert response.status_code in (200, 404), url
    return response.content.decode()


def test_the_pages_say_our_french_not_another_apps(client_for, researcher, client):
    member = client_for(researcher)

    directory = _french(member, reverse("community:member-directory"))
    search = _french(member, reverse("community:search"))
    missing = _french(member, "/no-such-page/")
    sign_in = _french(client, reverse("account_login"))

    assert ">Filtrer</button>" in directory
    assert ">Filtre</button>" not in directory
    assert "Rechercher" in search
    assert "Page introuvable" in missing
    assert "Page non trouvée" not in missing
    assert "Connexion" in sign_in
