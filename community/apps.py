from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")

    def ready(self):
        from .models import Room, RoomUserObjectPermission, User
        from .roles import role_names_sync, sync_role_groups
        from .visibility import visibility_changed

        post_migrate.connect(sync_role_groups, dispatch_uid="community.sync_role_groups")
        for model in (Room, RoomUserObjectPermission, User):
            post_save.connect(visibility_changed, sender=model, dispatch_uid=f"vis-save-{model}")
            post_delete.connect(visibility_changed, sender=model, dispatch_uid=f"vis-del-{model}")
        m2m_changed.connect(
            visibility_changed, sender=User.groups.through, dispatch_uid="vis-groups"
        )
        m2m_changed.connect(
            role_names_sync, sender=User.groups.through, dispatch_uid="role-names-sync"
        )

        from . import signals
        from .services.api_tokens import api_tokens_erase, api_tokens_export
        from .services.personal_data import ERASERS, EXPORTERS
        from .services.security import security_events_erase, security_events_export

        signals.connect()
        EXPORTERS.extend([security_events_export, api_tokens_export])
        ERASERS.extend([security_events_erase, api_tokens_erase])
