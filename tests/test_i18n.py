"""English first, French second (SPEC): the language switcher, the language a visitor gets with
and without a choice, and catalogues that are complete, consistent and compiled."""

import ast
import gettext
import html
import re
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

BASE_DIR = Path(settings.BASE_DIR)
CATALOGUE_GLOBS = (
    "locale/*/LC_MESSAGES/*.po",
    "community/locale/*/LC_MESSAGES/*.po",
    "ipup/locale/*/LC_MESSAGES/*.po",
    "ipip/locale/*/LC_MESSAGES/*.po",
    "knowledge_factory/locale/*/LC_MESSAGES/*.po",
)
CATALOGUES = sorted(path for pattern in CATALOGUE_GLOBS for path in BASE_DIR.glob(pattern))


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request in French leaves French active in this thread; later tests expect English."""
    yield
    translation.deactivate()


def choose_language(client, language, next_url):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


# --- Dates -------------------------------------------------------------------------------------


def test_english_dates_are_written_and_read_day_first():
    moment = datetime(2026, 6, 5, 18, 30, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with translation.override("en"):
        # given/when: a date shown in English, and one typed the way it is shown
        shown = date_filter(moment, "SHORT_DATETIME_FORMAT"), date_filter(moment, "DATE_FORMAT")
        typed = forms.DateField().clean("05/06/2026")

    # then: the 5th of June, in the 24-hour clock, both ways
    assert shown == ("05/06/2026 18:30", "5 June 2026")
    assert typed == date(2026, 6, 5)


# --- Choosing a language ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "own_text"),
    [
        ("account_login", ()),
        ("community:application-create", ("Demander à rejoindre ILEAnet",)),
    ],
)
def test_an_anonymous_visitor_who_chooses_french_reads_french(client, page, own_text):
    url = reverse(page)

    response = choose_language(client, "fr", url)

    assert response.status_code == 302
    assert response["Location"] == url
    body = client.get(url).content.decode()
    assert '<html lang="fr">' in body
    for french in ("Se connecter", "Demander à rejoindre", "Mentions légales", "Charte", *own_text):
        assert french in body
    assert "Sign in<" not in body
    assert "Legal notice" not in body


@pytest.mark.django_db
def test_a_member_who_chooses_french_reads_french_and_can_go_back_to_english(
    client_for, researcher
):
    client = client_for(researcher)
    home = reverse("community:home")

    choose_language(client, "fr", home)
    body = client.get(home).content.decode()

    assert '<html lang="fr">' in body
    for french in (
        "Accueil",
        "Salons",
        "Besoins",
        "Enquêtes",
        "Se déconnecter",
        "Aller au contenu",
        "Bienvenue, ",
    ):
        assert french in body
    assert "Sign out" not in body

    # and: the choice is undone the same way
    choose_language(client, "en", home)
    body = client.get(home).content.decode()
    assert '<html lang="en">' in body
    assert "Sign out" in body
    assert "Se déconnecter" not in body


@pytest.mark.django_db
def test_a_language_that_is_not_offered_changes_nothing(client):
    url = reverse("account_login")

    choose_language(client, "de", url)

    assert "Sign in" in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_browser_language_is_used_until_a_choice_is_made(client):
    url = reverse("account_login")

    french = client.get(url, headers={"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"})
    english = client.get(url)

    assert '<html lang="fr">' in french.content.decode()
    assert "Se connecter" in french.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert "Sign in" in english.content.decode()
    assert "Se connecter" not in english.content.decode()

    # and: an explicit choice wins over the browser's
    choose_language(client, "en", url)
    chosen = client.get(url, headers={"accept-language": "fr"}).content.decode()
    assert "Sign in" in chosen
    assert "Se connecter" not in chosen


@pytest.mark.django_db
def test_error_pages_are_translated(client):
    response = client.get("/no-such-page/", headers={"accept-language": "fr"})

    body = html.unescape(response.content.decode())
    assert response.status_code == 404
    assert "Page introuvable" in body
    assert "Retour à la page d'accueil" in body


# --- The switcher (templates/includes/language_switch.html) -----------------------------------


class _FormReader(HTMLParser):
    """The parts of the switcher a browser without JavaScript would use."""

    def __init__(self):
        super().__init__()
        self.forms, self.inputs, self.labels, self.selects, self.options = [], [], [], [], []
        self.buttons, self.scripts, self.inline = [], 0, []
        self._text_for = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.inline += [name for name in attrs if name == "style" or name.startswith("on")]
        if tag == "form":
            self.forms.append(attrs)
        elif tag == "input":
            self.inputs.append(attrs)
        elif tag == "select":
            self.selects.append(attrs)
        elif tag in {"label", "option", "button"}:
            attrs["text"] = ""
            {"label": self.labels, "option": self.options, "button": self.buttons}[tag].append(
                attrs
            )
            self._text_for = attrs
        elif tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag):
        if tag in {"label", "option", "button"}:
            self._text_for = None

    def handle_data(self, data):
        if self._text_for is not None:
            self._text_for["text"] += data.strip()


def render_switcher(language, path="/rooms/?page=2&sort=new"):
    request = RequestFactory().get(path)
    with translation.override(language):
        markup = render_to_string("includes/language_switch.html", request=request)
    reader = _FormReader()
    reader.feed(markup)
    return reader


@pytest.mark.parametrize(
    ("language", "button", "label"), [("en", "Change", "Language"), ("fr", "Changer", "Langue")]
)
def test_the_switcher_is_a_plain_labelled_form_to_the_set_language_view(language, button, label):
    form = render_switcher(language)

    # a POST form to the set_language view, with the CSRF token and the way back
    assert form.forms == [
        {"method": "post", "action": reverse("set_language"), "class": "language-switch"}
    ]
    hidden = {i["name"]: i["value"] for i in form.inputs if i.get("type") == "hidden"}
    assert hidden["csrfmiddlewaretoken"]
    assert hidden["next"] == "/rooms/?page=2&sort=new"

    # a select named "language", tied to its label, one option per language in its own name
    (select,) = form.selects
    assert select["name"] == "language"
    assert [(lab["for"], lab["text"]) for lab in form.labels] == [(select["id"], label)]
    options = {o["value"]: o for o in form.options}
    assert list(options) == [code for code, _name in settings.LANGUAGES]
    assert options["en"]["text"] == "English"
    assert options["fr"]["text"] == "Français"
    assert options["fr"]["lang"] == "fr"
    assert [code for code, o in options.items() if "selected" in o] == [language]

    # a submit button, translated; nothing the CSP (no inline script or style) would block
    assert [(b["type"], b["text"]) for b in form.buttons] == [("submit", button)]
    assert form.scripts == 0
    assert form.inline == []


@pytest.mark.django_db
def test_submitting_the_switcher_as_rendered_switches_the_language(client):
    login = reverse("account_login")
    form = render_switcher("en", path=login)
    fields = {i["name"]: i["value"] for i in form.inputs if i.get("type") == "hidden"}
    fields.pop("csrfmiddlewaretoken")  # the test client does not enforce CSRF

    response = client.post(form.forms[0]["action"], {**fields, "language": "fr"}, follow=True)

    assert response.redirect_chain == [(login, 302)]
    assert "Se connecter" in response.content.decode()


# --- Catalogues -------------------------------------------------------------------------------


def parse_po(path):
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (a list, one item per
    plural form), flags and line; obsolete (#~) entries are left out."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    def new_entry(line):
        return {"flags": set(), "msgctxt": None, "msgid_plural": None, "msgstr": {}, "line": line}

    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and "msgid" in entry:
                finish()
                entry = None
            entry = entry or new_entry(number)
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += value
            else:
                entry[field] += value
            continue
        if keyword in {"msgctxt", "msgid"} and entry is not None and "msgid" in entry:
            finish()
            entry = None
        entry = entry or new_entry(number)
        value = ast.literal_eval(rest)
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if keyword == "msgstr" or match:
            index = int(match.group(1)) if match else 0
            entry["msgstr"][index] = value
            field = ("msgstr", index)
        elif keyword in {"msgctxt", "msgid", "msgid_plural"}:
            entry[keyword] = value
            field = keyword
        else:
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    for item in entries:
        item["msgstr"] = [item["msgstr"][i] for i in sorted(item["msgstr"])]
    return entries


def nplurals(entries):
    header = next(e for e in entries if e["msgid"] == "" and e["msgctxt"] is None)
    match = re.search(r"nplurals\s*=\s*(\d+)", header["msgstr"][0])
    return int(match.group(1)) if match else 1


NAMED = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[sdifrxXeEgGoc]")
POSITIONAL = re.compile(r"%[#0 +-]*\d*(?:\.\d+)?[sdifrxXeEgGoc]")
BRACES = re.compile(r"(?<!\{)\{(\w*)(?:[!:][^{}]*)?\}(?!\})")
TAGS = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")


def placeholders(text, flags):
    text = text.replace("%%", "")
    found = {"named": sorted(NAMED.findall(text)), "tags": sorted(TAGS.findall(text))}
    if "python-format" in flags:
        found["positional"] = len(POSITIONAL.findall(NAMED.sub("", text)))
    if "python-brace-format" in flags:
        found["braces"] = sorted(BRACES.findall(text))
    return found


def catalogue_problems(path):
    entries = parse_po(path)
    forms = nplurals(entries)
    problems = []
    for entry in entries:
        shown = path.relative_to(BASE_DIR) if path.is_relative_to(BASE_DIR) else path
        where = f"{shown}:{entry['line']} {entry['msgid'][:60]!r}"
        if "fuzzy" in entry["flags"]:
            problems.append(f"{where}: fuzzy")
        if entry["msgid"] == "":
            continue
        expected = forms if entry["msgid_plural"] is not None else 1
        if len(entry["msgstr"]) != expected or not all(entry["msgstr"]):
            problems.append(f"{where}: not translated")
            continue
        for index, msgstr in enumerate(entry["msgstr"]):
            source = entry["msgid"] if index == 0 else entry["msgid_plural"]
            wanted, got = placeholders(source, entry["flags"]), placeholders(msgstr, entry["flags"])
            if entry["msgid_plural"] is not None and index == 0:
                # a singular may leave the count out ("one room"), never add an unknown name
                plural = placeholders(entry["msgid_plural"], entry["flags"])
                allowed = set(wanted["named"]) | set(plural["named"])
                missing = set(wanted["named"]) - set(got["named"])
                if missing or set(got["named"]) - allowed:
                    problems.append(
                        f"{where}: msgstr[0] has {got['named']}, msgid {wanted['named']}"
                    )
                wanted.pop("named"), got.pop("named")
                wanted.pop("positional", None), got.pop("positional", None)
            if wanted != got:
                problems.append(f"{where}: msgstr[{index}] has {got}, msgid {wanted}")
    return problems


def test_there_is_a_french_project_catalogue():
    assert BASE_DIR / "locale/fr/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_every_catalogue_is_complete_and_keeps_its_placeholders(po):
    assert catalogue_problems(po) == []


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_every_catalogue_is_compiled_as_it_stands(po):
    """The .mo holds exactly the .po's translations (by content: a checkout does not keep file
    times). Fix with ``python manage.py compilemessages``."""
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo.relative_to(BASE_DIR)} is missing: run compilemessages"
    with mo.open("rb") as handle:
        compiled = dict(gettext.GNUTranslations(handle)._catalog)
    compiled.pop("", None)

    expected = {}
    for entry in parse_po(po):
        if entry["msgid"] == "" or "fuzzy" in entry["flags"] or not all(entry["msgstr"]):
            continue
        key = (
            entry["msgid"]
            if entry["msgctxt"] is None
            else f"{entry['msgctxt']}\x04{entry['msgid']}"
        )
        if entry["msgid_plural"] is None:
            expected[key] = entry["msgstr"][0]
        else:
            expected.update({(key, i): text for i, text in enumerate(entry["msgstr"])})
    assert compiled == expected, f"{mo.relative_to(BASE_DIR)} is out of date: run compilemessages"


def test_the_catalogue_checks_see_what_they_are_about(tmp_path):
    """The parser and checks above, on a catalogue with one of each fault."""
    (tmp_path / "x").mkdir()
    po = tmp_path / "x" / "django.po"
    po.write_text(
        '\n# header\nmsgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
        '#, python-format\nmsgid "Hello %(name)s"\nmsgstr "Bonjour %(nom)s"\n\n'
        '#, fuzzy\nmsgid "Fuzzy"\nmsgstr "Flou"\n\n'
        'msgid "Empty"\nmsgstr ""\n\n'
        'msgctxt "verb"\nmsgid "Post"\nmsgstr ""\n"Publier"\n\n'
        'msgid "<a href=\\"%(url)s\\">Open</a>"\nmsgstr "Ouvrir %(url)s"\n\n'
        '#, python-format\nmsgid "one room"\nmsgid_plural "%(count)s rooms"\n'
        'msgstr[0] "un salon"\nmsgstr[1] ""\n\n'
        '#, python-format\nmsgid "one member"\nmsgid_plural "%(count)s members"\n'
        'msgstr[0] "un membre"\nmsgstr[1] "%(count)s membres"\n\n'
        '#~ msgid "Old"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    problems = catalogue_problems(po)
    entries = {e["msgid"]: e for e in parse_po(po)}

    assert entries["Post"]["msgctxt"] == "verb"
    assert entries["Post"]["msgstr"] == ["Publier"]
    assert entries["one member"]["msgstr"] == ["un membre", "%(count)s membres"]
    assert "Old" not in entries
    assert len(problems) == 5
    assert "Hello %(name)s" in problems[0]
    assert "'nom'" in problems[0]
    assert "fuzzy" in problems[1]
    assert "Empty" in problems[2]
    assert "not translated" in problems[2]
    assert "tags" in problems[3]
    assert "one room" in problems[4]
    assert "not translated" in problems[4]
