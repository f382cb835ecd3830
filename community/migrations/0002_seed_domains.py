from django.db import migrations

# SPEC §3.1: four focus domains and the cross-cutting themes. Editable in the admin afterwards.
DOMAINS = [
    ("migration-border-management", "Migration & border management", "focus",
     "Border checks, migrant smuggling, document fraud and the management of migration flows."),
    ("terrorism", "Terrorism", "focus",
     "Prevention of radicalisation, detection of terrorist activity and protection of public spaces."),
    ("cybercrime", "Cybercrime", "focus",
     "Crime committed through or against information systems, and digital investigation."),
    ("serious-organised-crime", "Serious & organised crime", "focus",
     "Drug trafficking, trafficking in human beings, money laundering and organised crime groups."),
    ("information-sharing", "Information sharing", "theme",
     "Exchange of information between law enforcement agencies, across borders and with partners."),
    ("lea-involvement-in-research", "LEA involvement in research", "theme",
     "How practitioners take part in security research and carry its results into operations."),
]


def seed(apps, schema_editor):
    Domain = apps.get_model("community", "Domain")
    for position, (slug, name, kind, description) in enumerate(DOMAINS):
        Domain.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "kind": kind, "description": description, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
