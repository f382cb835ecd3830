"""The domains seeded by migration 0002, their names marked for translation.

A domain is data (editable in the admin), so its name is translated where it is shown
(``Domain.__str__``) rather than stored per language: the seeded names are in the catalogue
through this list, and a domain added later reads as written until someone translates it.
"""

from django.utils.translation import gettext_noop

SEEDED_DOMAIN_NAMES = (
    gettext_noop("Migration & border management"),
    gettext_noop("Terrorism"),
    gettext_noop("Cybercrime"),
    gettext_noop("Serious & organised crime"),
    gettext_noop("Information sharing"),
    gettext_noop("LEA involvement in research"),
)
