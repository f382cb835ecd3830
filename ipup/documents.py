"""The parts and questions of the three documents a project holder writes (SPEC §3.7), defined
once: the forms, the API, the review's diff and the PDFs are all built from these definitions.

The questions follow ILEAnet's IPUP toolkit (final report D4.9, annex 2); the help under each
says, in our words, what a good answer contains — the network's own lesson was that projects
gave generic answers that told LEAs little, so the help asks for the concrete.

A document's data is a dict {field key: value}: text as str, TRL as int, dates as ISO strings,
choices as str, multiple choices as list of str.
"""

import datetime
import difflib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from .models import DocumentKind


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    help: str
    kind: str = "text"  # text, line, trl, date, choice, multichoice, email
    max_length: int = 3000
    required: bool = True
    choices: tuple = ()


@dataclass(frozen=True)
class Part:
    key: str
    title: str
    help: str
    fields: tuple[Field, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Schema:
    kind: str
    title: str
    introduction: str
    parts: tuple[Part, ...]

    @property
    def fields(self) -> list[Field]:
        return [f for part in self.parts for f in part.fields]

    def part(self, key: str) -> Part | None:
        return next((part for part in self.parts if part.key == key), None)


TRL_CHOICES = tuple((level, str(level)) for level in range(1, 10))


def _answer(key: str, label, help_text) -> Field:
    return Field(key, label, help_text, max_length=3000)


def _measured(key: str, label, help_text) -> Field:
    return Field(key, label, help_text, max_length=2000)


ID_CARD = Schema(
    kind=DocumentKind.ID_CARD,
    title=_("Project ID card"),
    introduction=_(
        "The identity of the project, on one page: what it set out to do, what it produced, "
        "who made it and how to reach them. LEAs read it first, before deciding whether the "
        "rest is worth their time."
    ),
    parts=(
        Part(
            "objectives",
            _("Objectives"),
            _("What the project set out to achieve, for whom."),
            (
                Field(
                    "objectives",
                    _("Objectives"),
                    _(
                        "Three to five objectives in plain words, each saying which LEA problem "
                        "it addresses. Avoid the proposal's language: a practitioner should "
                        "understand every line without knowing the call."
                    ),
                ),
            ),
        ),
        Part(
            "scope",
            _("Scope"),
            _("What is inside the project and what is not."),
            (
                Field(
                    "scope",
                    _("Scope"),
                    _(
                        "The crime areas, operational settings and countries the results apply "
                        "to, and just as clearly what they do not cover (for example: tested "
                        "on land borders only, not maritime)."
                    ),
                ),
            ),
        ),
        Part(
            "outcomes",
            _("Main outcomes"),
            _("What exists now that did not before."),
            (
                Field(
                    "outcomes",
                    _("Main outcomes"),
                    _(
                        "Each tool, method, dataset or training the project delivered, what it "
                        "does, in what form it exists (prototype, software, guide…) and whether "
                        "LEAs can get it today."
                    ),
                    max_length=4000,
                ),
            ),
        ),
        Part(
            "partners",
            _("Partners"),
            _("Who built it."),
            (
                Field(
                    "partners",
                    _("Consortium"),
                    _(
                        "The partners and their role in the results: who developed what, who "
                        "owns it, who would support a user afterwards."
                    ),
                ),
                Field(
                    "lea_partners",
                    _("LEAs involved"),
                    _(
                        "The law enforcement agencies that took part (as partners, testers or "
                        "advisers) and what they did. Leave empty if none did."
                    ),
                    max_length=1500,
                    required=False,
                ),
            ),
        ),
        Part(
            "funding",
            _("Funding"),
            _("How the project is paid for."),
            (
                Field(
                    "programme",
                    _("Programme and call"),
                    _("For example: Horizon 2020, SU-FCT02-2018."),
                    kind="line",
                    max_length=300,
                ),
                Field(
                    "funding",
                    _("Funding"),
                    _(
                        "The grant agreement number, the total cost and the public "
                        "contribution, and any other funding that continues the work."
                    ),
                    max_length=1000,
                ),
            ),
        ),
        Part(
            "dates",
            _("Dates"),
            _("When the project runs."),
            (
                Field("start_date", _("Start"), _("The first day of the project."), kind="date"),
                Field(
                    "end_date",
                    _("End"),
                    _("The last day of the project (not before its start)."),
                    kind="date",
                ),
            ),
        ),
        Part(
            "trl",
            _("Technology readiness"),
            _("How far the solution is from operational use."),
            (
                Field(
                    "trl",
                    _("Technology readiness level (1 to 9)"),
                    _(
                        "1 is basic principles observed, 9 a system proven in operational use. "
                        "Give the level the main outcome reached, not the one planned."
                    ),
                    kind="trl",
                ),
                Field(
                    "trl_evidence",
                    _("How the level was reached"),
                    _("The test or validation that shows it: where, with whom, on what data."),
                    max_length=1500,
                ),
            ),
        ),
        Part(
            "contact",
            _("Contact"),
            _("The person LEAs should write to."),
            (
                Field(
                    "contact_name",
                    _("Name"),
                    _("A person, not a mailbox."),
                    kind="line",
                    max_length=200,
                ),
                Field(
                    "contact_role",
                    _("Function"),
                    _("Their role in the project (coordinator, technical lead…)."),
                    kind="line",
                    max_length=200,
                    required=False,
                ),
                Field(
                    "contact_email",
                    _("E-mail address"),
                    _("An address that will still be read after the project ends."),
                    kind="email",
                    max_length=254,
                ),
            ),
        ),
    ),
)


def _telos_part(key, title, help_text, answer_help, measured_label, measured_help, extra=()):
    return Part(
        key,
        title,
        help_text,
        (
            *extra,
            _answer(f"{key}_answer", _("Answer"), answer_help),
            _measured(f"{key}_measured", measured_label, measured_help),
        ),
    )


TELOS = Schema(
    kind=DocumentKind.TELOS,
    title=_("TELOS assessment"),
    introduction=_(
        "Technical, Economic, Legal, Operational and Scheduling: five questions LEAs ask before "
        "they consider a solution. Each answer says what you claim and how you know it — a "
        "claim without its evidence is what reviewers send back most often."
    ),
    parts=(
        _telos_part(
            "technical",
            _("Technical"),
            _("What is the technological readiness of the solution?"),
            _(
                "How mature the solution is today: what works, what is still a prototype, what "
                "it needs to run (hardware, software, data, connectivity)."
            ),
            _("How is it measured?"),
            _(
                "The tests behind the claim: laboratory or field, with which LEAs, on real or "
                "synthetic data, with which results."
            ),
            extra=(
                Field(
                    "technical_trl",
                    _("Technology readiness level (1 to 9)"),
                    _("The level the solution has reached, as tested."),
                    kind="trl",
                ),
            ),
        ),
        _telos_part(
            "economic",
            _("Economic"),
            _("Is the solution expected to save LEAs money, time or other assets?"),
            _(
                "What an LEA would save or gain (officer hours, cost per case, equipment, "
                "training time) and what it would cost them to adopt and run."
            ),
            _("How is this gain measured?"),
            _(
                "The figures and where they come from: a pilot's measurements, a comparison "
                "with the current practice, an estimate with its assumptions stated."
            ),
        ),
        _telos_part(
            "legal",
            _("Legal"),
            _("Is the solution compliant with legal, ethical and societal requirements?"),
            _(
                "The rules that apply (data protection, the Law Enforcement Directive, "
                "evidence admissibility, the AI Act…) and how the solution meets them; the "
                "personal data it processes and who controls it."
            ),
            _("How has compliance been verified?"),
            _(
                "An ethics board, a data protection impact assessment, a legal review, an "
                "external audit: who did it, when, and what they concluded."
            ),
        ),
        _telos_part(
            "operational",
            _("Operational"),
            _("What is the expected operational impact of the solution?"),
            _(
                "What changes for the officers who use it: which tasks become faster, safer "
                "or possible at all, and what they must change in how they work."
            ),
            _("How has it been assessed?"),
            _(
                "Trials with practitioners, exercises, user feedback: how many users, in which "
                "setting, and what they said."
            ),
        ),
        _telos_part(
            "scheduling",
            _("Scheduling"),
            _("What is the development timeframe until the solution is complete?"),
            _(
                "What remains to be done before an LEA could use it, and when each step is "
                "expected; what happens after the project ends (who maintains it)."
            ),
            _("How has it been estimated?"),
            _(
                "The plan behind the dates: resources committed, dependencies, and the risks "
                "that could delay it."
            ),
        ),
    ),
)


PRESENTATION_FORMATS = (
    ("video", _("Video recording")),
    ("live_demo", _("Live demonstration")),
    ("field_demo", _("Field demonstration")),
    ("slides", _("Presentation with slides")),
)
YES_PARTLY_NO = (("yes", _("Yes")), ("partly", _("Partly")), ("no", _("No")))
REAL_OR_FICTIONAL = (
    ("real", _("Real: drawn from real cases or validation tests")),
    ("fictional", _("Fictional: likely, but not yet seen in practice")),
)


def _scenario_question(key, title, question, help_text) -> Part:
    return Part(key, title, question, (Field(key, title, help_text, max_length=2000),))


SCENARIO = Schema(
    kind=DocumentKind.SCENARIO,
    title=_("Scenario"),
    introduction=_(
        "How LEAs would use your results in their work: a concrete situation, told from the "
        "officers' side, that shows when and why the solution helps. It is what you will "
        "present at a showcase event or webinar."
    ),
    parts=(
        _scenario_question(
            "when",
            _("When"),
            _("When, in LEAs' operations, can the results be used?"),
            _(
                "The moment in the work: an investigation's first hours, routine patrols, a "
                "border check, the analysis of seized devices…"
            ),
        ),
        _scenario_question(
            "who",
            _("Who"),
            _("Who are the main end users?"),
            _(
                "Be specific: IT forensic analysts, first-line border guards, intelligence "
                "analysts, investigators of a given unit — not “LEAs”."
            ),
        ),
        _scenario_question(
            "where",
            _("Where"),
            _("Where can the results be used?"),
            _("At the crime scene, in the office, at a border crossing, in a vehicle, online…"),
        ),
        _scenario_question(
            "what",
            _("What"),
            _("Which functions are the most useful for LEAs?"),
            _("The two or three functions that matter most to these users, in their words."),
        ),
        _scenario_question(
            "how",
            _("How"),
            _("How would LEAs use them?"),
            _(
                "The equipment and the input data needed, the training required, and the "
                "steps an officer follows."
            ),
        ),
        _scenario_question(
            "why",
            _("Why"),
            _("Why are the results worth LEAs' attention?"),
            _(
                "Cost, time, performance, an integrated solution: what this does better than "
                "what officers use today."
            ),
        ),
        Part(
            "would",
            _("European standard"),
            _(
                "Would daily use by many different LEAs be more efficient and effective if it "
                "were standardised at the European level?"
            ),
            (
                Field(
                    "would",
                    _("More effective if standardised at EU level?"),
                    _("Your answer, then why below."),
                    kind="choice",
                    max_length=10,
                    choices=YES_PARTLY_NO,
                ),
                Field(
                    "would_explanation",
                    _("Why"),
                    _(
                        "What standardisation would bring (shared data formats, cross-border "
                        "cases, joint procurement) or why it would not matter."
                    ),
                    max_length=2000,
                ),
            ),
        ),
        Part(
            "presentation",
            _("Presentation"),
            _("How will you present the scenario to LEAs?"),
            (
                Field(
                    "presentation_formats",
                    _("Formats"),
                    _("One or more."),
                    kind="multichoice",
                    max_length=100,
                    choices=PRESENTATION_FORMATS,
                ),
                Field(
                    "presentation_equipment",
                    _("Material or equipment needed"),
                    _("What the organisers must provide (screen, network, space outdoors…)."),
                    max_length=1000,
                    required=False,
                ),
            ),
        ),
        Part(
            "nature",
            _("Real or fictional"),
            _("Is the scenario drawn from real use?"),
            (
                Field(
                    "nature",
                    _("The scenario is"),
                    _(
                        "If the results were used in real cases or validation tests, start "
                        "from them and add other possible uses; if not, a likely fictional "
                        "scenario helps LEAs just as well. ILEAnet's coordinators can help."
                    ),
                    kind="choice",
                    max_length=10,
                    choices=REAL_OR_FICTIONAL,
                ),
                Field(
                    "nature_basis",
                    _("What it is based on"),
                    _("The case, test or exercise it draws on, as far as it can be told."),
                    max_length=1500,
                    required=False,
                ),
            ),
        ),
    ),
)

SCHEMAS: dict[str, Schema] = {s.kind: s for s in (ID_CARD, TELOS, SCENARIO)}


def schema_for(kind: str) -> Schema:
    return SCHEMAS[kind]


# --- Validation -----------------------------------------------------------------------------------


def _clean_value(f: Field, value):
    """One field's value, normalised; raises ValidationError with a message for the field."""
    if value is None or value == "" or value == []:
        return None
    if f.kind in ("text", "line", "email"):
        if not isinstance(value, str):
            raise ValidationError(_("Enter text."))
        if "\x00" in value:
            raise ValidationError(_("Null characters are not allowed."))
        value = value.replace("\r\n", "\n").strip()
        if len(value) > f.max_length:
            raise ValidationError(
                _("At most %(limit)d characters (this answer has %(length)d).")
                % {"limit": f.max_length, "length": len(value)}
            )
        if f.kind == "line" and "\n" in value:
            raise ValidationError(_("One line only."))
        if f.kind == "email":
            EmailValidator(message=_("Enter a valid e-mail address."))(value)
        return value or None
    if f.kind == "trl":
        try:
            level = int(value)
        except (TypeError, ValueError):
            raise ValidationError(_("Enter a whole number from 1 to 9.")) from None
        if isinstance(value, float | bool) or not 1 <= level <= 9:
            raise ValidationError(_("The technology readiness level goes from 1 to 9."))
        return level
    if f.kind == "date":
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None
    allowed = {str(key) for key, _label in f.choices}
    if f.kind == "choice":
        if not isinstance(value, str) or value not in allowed:
            raise ValidationError(_("Choose one of the options."))
        return value
    if f.kind == "multichoice":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or any(
            not isinstance(v, str) or v not in allowed for v in value
        ):
            raise ValidationError(_("Choose among the options."))
        return [key for key, _label in f.choices if key in value] or None
    raise ValidationError(_("Unknown field."))


def validate(kind: str, data: dict, *, submit: bool) -> dict:
    """The document's data cleaned, or ValidationError with a message per field key. A draft
    may be incomplete; a submission must answer every required question. Unknown keys are
    refused rather than silently dropped (a client's typo must not lose an answer)."""
    schema = schema_for(kind)
    if not isinstance(data, dict):
        raise ValidationError(_("The document must be a set of answers."))
    known = {f.key: f for f in schema.fields}
    errors: dict[str, list] = {}
    for key in data:
        if key not in known:
            errors.setdefault(str(key)[:60], []).append(_("This document has no such question."))
    cleaned = {}
    for key, f in known.items():
        try:
            value = _clean_value(f, data.get(key))
        except ValidationError as error:
            errors.setdefault(key, []).extend(error.messages)
            continue
        if value is None:
            if submit and f.required:
                errors.setdefault(key, []).append(_("This question must be answered."))
            continue
        cleaned[key] = value
    start, end = cleaned.get("start_date"), cleaned.get("end_date")
    if start and end and end < start:
        errors.setdefault("end_date", []).append(_("The end comes before the start."))
    if errors:
        raise ValidationError(errors)
    return cleaned


def initial_from_project(kind: str, project) -> dict:
    """A first draft filled from the project database, for the holders to correct."""
    if kind != DocumentKind.ID_CARD:
        return {}
    partners = "\n".join(
        f"{p.organisation.name} ({p.get_role_display()})"
        for p in project.participants.select_related("organisation")
    )
    data = {
        "objectives": project.objectives or project.summary,
        "partners": partners,
        "programme": " — ".join(x for x in (project.programme, project.call) if x),
        "start_date": project.start_date.isoformat() if project.start_date else None,
        "end_date": project.end_date.isoformat() if project.end_date else None,
        "trl": project.trl,
    }
    schema = {f.key: f for f in ID_CARD.fields}
    return {
        key: value[: schema[key].max_length] if isinstance(value, str) else value
        for key, value in data.items()
        if value
    }


# --- Reading and comparing ------------------------------------------------------------------------


def display_value(f: Field, value) -> str:
    """A value as a reader sees it (choices by their label)."""
    if value in (None, "", []):
        return ""
    labels = {str(key): str(label) for key, label in f.choices}
    if f.kind == "choice":
        return labels.get(value, value)
    if f.kind == "multichoice":
        return ", ".join(labels.get(v, v) for v in value)
    if f.kind == "date":
        from django.utils.formats import date_format

        return date_format(datetime.date.fromisoformat(value))
    return str(value)


def rows(kind: str, data: dict) -> list[dict]:
    """The document as parts with their fields and displayed answers (pages and PDFs)."""
    return [
        {
            "part": part,
            "fields": [
                {"field": f, "value": display_value(f, (data or {}).get(f.key))}
                for f in part.fields
            ],
        }
        for part in schema_for(kind).parts
    ]


def diff(kind: str, old: dict, new: dict) -> list[dict]:
    """Per part, the fields whose answer changed between two versions, with a word-level diff
    (lists of ("equal"|"delete"|"insert", text) pieces) for the review page."""
    result = []
    for part in schema_for(kind).parts:
        changes = []
        for f in part.fields:
            before = display_value(f, (old or {}).get(f.key))
            after = display_value(f, (new or {}).get(f.key))
            if before == after:
                continue
            a, b = before.split(" "), after.split(" ")
            pieces = []
            for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
                if tag == "equal":
                    pieces.append(("equal", " ".join(a[i1:i2])))
                    continue
                if i2 > i1:
                    pieces.append(("delete", " ".join(a[i1:i2])))
                if j2 > j1:
                    pieces.append(("insert", " ".join(b[j1:j2])))
            changes.append({"field": f, "before": before, "after": after, "pieces": pieces})
        if changes:
            result.append({"part": part, "changes": changes})
    return result
