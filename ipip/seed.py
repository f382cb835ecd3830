"""The first version of the IPIP checklist: the good practices of ILEAnet's final
recommendations (D4.9, annex 1), stage by stage, in our words. Loaded by a data migration and
kept as data: coordinators edit the checklist on the platform, which makes new versions."""

# (stage key, [(item key, topic, practice, how to do it)])
STAGES = [
    ("idea", [
        ("define-ri", "Convince practitioners", "Explain what research and innovation means for the LEAs concerned", "Describe the project's aim in operational terms, not in research jargon."),
        ("outreach", "Convince practitioners", "Raise awareness with an outreach programme", "Visit units, present at internal events, use the national contact points."),
        ("success-stories", "Convince practitioners", "Show successful stories of research taken up by LEAs", "Point to earlier projects whose results are in use."),
        ("cooperation", "Convince practitioners", "Underline the value of cooperation between LEAs, researchers and industry", ""),
        ("showcase-sites", "Convince practitioners", "Know the existing showcase websites and catalogues", "Check where results of similar projects are already published."),
        ("senior-management", "Convince practitioners", "Involve senior management early", "A sponsor at management level keeps the LEA's commitment through the project."),
        ("at-the-office", "Convince practitioners", "Meet LEAs directly where they work", ""),
        ("ideation", "Support the ideation", "Give guidance on turning an operational idea into a project", "Help practitioners frame the need, the expected outcome and the partners needed."),
    ]),
    ("before", [
        ("needs-early", "Define the needs", "Federate LEAs on their needs before the call opens", ""),
        ("needs-pitch", "Define the needs", "Hold a session where LEAs pitch needs and technical partners answer", "A neutral place where practitioners speak first."),
        ("needs-levels", "Define the needs", "Work from the operational need at every level (local, national, ethics)", ""),
        ("needs-outside", "Define the needs", "Invite LEAs outside the consortium to define the needs", ""),
        ("needs-experts", "Define the needs", "Make sure experts attend the needs sessions", ""),
        ("facilitators", "Researchers and LEAs together", "Involve facilitators who bridge LEAs, research and technology", ""),
        ("knowledge-integration", "Researchers and LEAs together", "Share knowledge across organisations, national and European levels", ""),
        ("completed-projects", "Background checks", "Review completed and ongoing projects on the same topic", "Search the project database and the state-of-the-art studies."),
        ("state-of-the-art", "Background checks", "Carry out a state-of-the-art review", ""),
        ("outside-europe", "Background checks", "Look at work done outside Europe", ""),
        ("work-structure", "Participation and engagement guide", "Agree a standard work structure and rules of engagement with the LEAs", ""),
        ("lea-audience", "Participation and engagement guide", "Make sure LEAs are part of the target audience", ""),
        ("lea-involvement", "Participation and engagement guide", "Give LEAs a strong role in the project", ""),
        ("admin-support", "Participation and engagement guide", "Consider a partner dedicated to administrative support", ""),
        ("clear-needs", "Participation and engagement guide", "Have clear needs before engaging in the project", ""),
        ("trl-choice", "Participation and engagement guide", "Choose deliberately between high and low TRL outputs", ""),
        ("modular-tools", "Participation and engagement guide", "Prefer modular tools to integrated platforms", ""),
        ("free-outputs", "Participation and engagement guide", "Plan for LEAs to receive the results at no cost", "Prototypes, software and licences that LEAs can keep using."),
        ("lea-transparency", "Participation and engagement guide", "Be open about the LEAs' capacity and competencies", ""),
        ("lea-selection", "Participation and engagement guide", "Coordinate the selection and participation of LEAs", ""),
    ]),
    ("during", [
        ("training-use-cases", "Training", "Deliver training together with use cases", ""),
        ("training-curricula", "Training", "Create training curricula that ease the uptake", ""),
        ("training-language", "Training", "Train in the practitioners' own language", ""),
        ("evaluation-method", "Final evaluation", "Assess the results with a recognised methodology", ""),
        ("evaluation-experts", "Final evaluation", "Make sure experts take part in the evaluation", ""),
        ("uptake-collaborate", "Uptake", "Work with other projects and researchers", ""),
        ("uptake-stakeholders", "Uptake", "Connect the people who decide on uptake with the project", ""),
        ("uptake-procurement", "Uptake", "Use the project to inform public procurement", ""),
        ("record-activities", "Project management", "Record every activity (demonstrations, presentations)", ""),
        ("interactive-tools", "Project management", "Use interactive project management tools", ""),
        ("lea-board", "Project management", "Set up an LEA steering board overseeing the implementation", ""),
        ("lea-budget", "Project management", "Budget LEA personnel costs, not only travel", ""),
    ]),
    ("after", [
        ("communicate", "Communicate", "Organise demonstrations and events with LEAs, from their point of view", ""),
        ("attract", "Attract", "Show successful uptake and how the outputs can be customised", ""),
        ("alert", "Alert", "Make sure LEAs are alerted at the project's mid-term and end", "Members following the project's domains are alerted by the platform."),
        ("test", "Test", "Offer LEAs a reliable environment to test the results and give feedback", ""),
        ("analyse-recycle", "Analyse and recycle", "Analyse which outputs are unused and reuse them as building blocks", ""),
        ("simplify", "Simplify", "Work towards more flexible procurement", ""),
        ("automate", "Automate", "Seek follow-up funding for the uptake of successful results", ""),
        ("collect-share", "Collect and share", "Publish the outputs and demonstrations in a shared collection", "For example as Knowledge Factory items."),
        ("partial-uptake", "Maximise", "Count a partial uptake as a success", ""),
    ]),
    ("eu", [
        ("focal-points", "Structure the EU research network", "Build a network of security research focal points in each country", ""),
        ("rni-units", "Structure the EU research network", "Create small R&I units within agencies", ""),
        ("masked-data", "Real data for research", "Find a way to mask real data for research use", "Guidelines, standards or technical solutions."),
        ("shared-space", "A place to meet", "Give research and LEAs a shared space to meet", ""),
        ("impact-analysis", "Measure", "Correlate stakeholders' involvement with the operational impact of projects", ""),
        ("call-trl-users", "Research programmes", "Link calls, TRL and end-user involvement", ""),
        ("policy-outcomes", "Research programmes", "Make policy, good practice and standards an outcome of projects", ""),
        ("confidentiality", "Research programmes", "Raise confidentiality standards", ""),
        ("flexibility", "Research programmes", "Allow more flexibility during a project's lifetime", ""),
        ("exploitation", "Research programmes", "Assess the exploitation plans of submitted projects", ""),
        ("free-results", "Research programmes", "Share project results with LEAs for free", ""),
    ]),
]  # fmt: skip

TITLE = "IPIP checklist"


def seed_first_version(apps) -> None:
    """Create version 1 (published) unless a template exists."""
    from django.utils import timezone

    Template = apps.get_model("ipip", "ChecklistTemplate")
    Stage = apps.get_model("ipip", "ChecklistStage")
    Item = apps.get_model("ipip", "ChecklistItem")
    if Template.objects.exists():
        return
    template = Template.objects.create(version=1, title=TITLE, published_at=timezone.now(),
                                       note="From ILEAnet's final recommendations (D4.9).")  # fmt: skip
    for position, (key, items) in enumerate(STAGES):
        stage = Stage.objects.create(template=template, key=key, position=position)
        Item.objects.bulk_create(
            Item(
                stage=stage,
                key=item_key,
                topic=topic,
                text=text,
                help_text=help_text,
                position=index,
            )
            for index, (item_key, topic, text, help_text) in enumerate(items)
        )
