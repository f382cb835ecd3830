"""Demo items for the Knowledge Factory (``seed_demo``): ILEAnet's own public documents (the
source reports in the project's records, summarised in our words, with their public addresses),
one LEA-only item, one submission waiting for the knowledge manager, and a follow, so that each
role has something to do on its first visit. Made through the services, once."""

from datetime import date

from community.models import Domain

from .models import Item

CORDIS_PROJECT = "https://cordis.europa.eu/project/id/740477"

# (type, title, summary, body, source link, publication date, domains, tags, access level)
PUBLISHED = [
    (
        "report",
        "ILEAnet final recommendations for a sustainable LEA network",
        "What five years of ILEAnet taught about engaging police practitioners in security "
        "research, and what a lasting network needs to keep doing it.",
        "The recommendations cover four themes:\n\n"
        "- **Engagement**: practitioners take part when the time asked of them is short, the "
        "topic is operational and the result comes back to them.\n"
        "- **Needs**: collect them bottom-up (surveys, interviews, discussions) as well as "
        "top-down, then prioritise them with the practitioners who raised them.\n"
        "- **Uptake**: screen finished projects against the needs, present the promising ones "
        "in short showcase events, and follow them after the project ends.\n"
        "- **Continuity**: keep the community, its tools and its knowledge base running after "
        "the funding period.",
        CORDIS_PROJECT,
        date(2022, 5, 31),
        ["lea-involvement-in-research", "information-sharing"],
        ["uptake", "recommendations", "practitioners"],
        "public",
    ),
    (
        "deliverable",
        "ILEAnet periodic report, June 2021 to May 2022",
        "The project's last periodic report: the network's growth, the public workshops, the "
        "research topics identified with practitioners and the plan for the network's future.",
        "",
        CORDIS_PROJECT,
        date(2022, 5, 31),
        ["lea-involvement-in-research"],
        ["periodic report", "uptake"],
        "public",
    ),
    (
        "event_report",
        "Innovative technologies for border management: virtual public workshop",
        "Three days of presentations and discussions, organised with Frontex in November "
        "2020, on technologies that help border guards and police at the external borders.",
        "Sessions covered document fraud detection, surveillance of green borders and the "
        "exchange of information between border and police services. Practitioners asked for "
        "solutions tested in operational conditions and for training that comes with them.",
        "https://cordis.europa.eu/article/id/422938",
        date(2020, 11, 5),
        ["migration-border-management"],
        ["border management", "workshop", "frontex"],
        "members",
    ),
    (
        "newsletter",
        "ILEAnet newsletter #23, January and February 2022",
        "The invitation to ILEAnet's final public workshop on the EU security research and "
        "innovation landscape, and the network's latest news.",
        "",
        CORDIS_PROJECT,
        date(2022, 2, 28),
        ["lea-involvement-in-research"],
        ["newsletter", "workshop"],
        "public",
    ),
    (
        "report",
        "Cross-border checkpoint exercise: lessons for patrol coordination",
        "Demo data: what two neighbouring police forces learnt from a joint checkpoint "
        "exercise. Readable by LEA members only.",
        "Radio interoperability and a shared picture of the checkpoint's queue mattered more "
        "than any single technology.",
        "",
        date(2025, 9, 15),
        ["migration-border-management", "information-sharing"],
        ["border management", "patrol coordination"],
        "lea",
    ),
]

SUBMITTED = (
    "study",
    "Open-source tools to detect drones near public events",
    "A comparison of freely available drone detection tools that police could try at "
    "public events, with what each needs to run.",
    ["serious-organised-crime"],
    ["drones", "public events"],
)


def seed_knowledge(*, knowledge_manager, community_manager, author, lea_member) -> None:
    from .services.follows import follow_add
    from .services.items import item_publish, item_submit

    if Item.objects.exists():
        return
    domains = {domain.slug: domain for domain in Domain.objects.all()}
    # The LEA member follows border management first, so that publishing tells them.
    if "migration-border-management" in domains:
        follow_add(actor=lea_member, domain="migration-border-management")
    for kind, title, summary, body, link, published_on, slugs, tags, tier in PUBLISHED:
        item = item_submit(
            actor=lea_member if tier == "lea" else author,
            type=kind,
            title=title,
            summary=summary,
            body=body,
            source_url=link,
            published_on=published_on,
            domains=[domains[slug] for slug in slugs if slug in domains],
            tags=tags,
            tier=tier,
        )
        # The demo's knowledge manager is a researcher: an LEA-only item is published by a
        # reviewer who may read it, the community manager.
        reviewer = community_manager if tier == "lea" else knowledge_manager
        item_publish(actor=reviewer, item=item)
    kind, title, summary, slugs, tags = SUBMITTED
    item_submit(actor=author, type=kind, title=title, summary=summary,
                domains=[domains[slug] for slug in slugs if slug in domains], tags=tags)  # fmt: skip
