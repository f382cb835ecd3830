from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IpupConfig(AppConfig):
    name = "ipup"
    verbose_name = _("IPUP — Project Uptake Process")

    def ready(self):
        from community.services.personal_data import ERASERS, EXPORTERS

        from .personal_data import (
            stage_three_export,
            survey_answers_export,
            survey_invitations_erase,
        )

        EXPORTERS.append(survey_answers_export)
        EXPORTERS.append(stage_three_export)
        ERASERS.append(survey_invitations_erase)
