"""The REST API (SPEC §6.2), under /api/v1/: authentication, permissions, pagination and rate
limits shared by every app's endpoints. Each app keeps its serializers and viewsets in its own
``api.py`` and registers them in ``ileanet.api.urls``."""
