from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeFactoryConfig(AppConfig):
    name = "knowledge_factory"
    verbose_name = _("Knowledge Factory")
