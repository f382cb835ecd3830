from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IpipConfig(AppConfig):
    name = "ipip"
    verbose_name = _("IPIP — Project Intake Process")
