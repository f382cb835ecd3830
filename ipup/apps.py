from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IpupConfig(AppConfig):
    name = "ipup"
    verbose_name = _("IPUP — Project Uptake Process")
