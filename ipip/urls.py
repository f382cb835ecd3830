from django.urls import path

from .views import alerts, checklists

app_name = "ipip"

urlpatterns = [
    # Checklists (views/checklists.py) — issue 14, checklists
    path("projects/<int:pk>/", checklists.project_checklist, name="project-checklist"),
    path(
        "projects/<int:pk>/adopt/",
        checklists.project_checklist_adopt,
        name="project-checklist-adopt",
    ),
    path(
        "projects/<int:pk>/report.pdf",
        checklists.project_checklist_report,
        name="project-checklist-report",
    ),
    path("projects/<int:pk>/items/<int:state_id>/", checklists.item_state_edit, name="item-state"),
    path(
        "projects/<int:pk>/items/<int:state_id>/evidence/",
        checklists.evidence_file,
        name="item-evidence",
    ),
    path("templates/", checklists.checklist_template_list, name="checklist-templates"),
    path("templates/<int:pk>/", checklists.checklist_template, name="checklist-template"),
    path("compare/", checklists.checklist_comparison, name="checklist-comparison"),
    # Follows and alerts (views/alerts.py) — issue 14, alerts
    path("follows/", alerts.follows, name="follows"),
    path("follows/projects/<int:pk>/", alerts.follow_project_toggle, name="follow-project"),
]
