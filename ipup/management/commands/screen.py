"""``python manage.py screen "<free text>" | --need ID [--limit N]``: the best research projects
for a text or a need, with the blend's score and its parts (ipup.screening), for batch
screening. ``--embed`` first computes the embeddings of the projects that lack them."""

from django.core.management.base import BaseCommand, CommandError

from ipup import embeddings, screening
from ipup.models import Need, ResearchProject
from ipup.services.screening import projects_embed


class Command(BaseCommand):
    help = "Print the research projects that best match a text or a need, with their scores."

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="?", help="the text to screen")
        parser.add_argument("--need", type=int, help="screen this need (its id)")
        parser.add_argument("--limit", type=int, default=10, help="how many projects (10)")
        parser.add_argument(
            "--embed", action="store_true", help="embed the projects that are not embedded yet"
        )

    def handle(self, *args, text=None, need=None, limit=10, embed=False, **options):
        if bool(text) == bool(need):
            raise CommandError("Give either a text or --need ID.")
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        if embed:
            missing = ResearchProject.objects.exclude(
                embedding_model=embeddings.MODEL_NAME
            ).values_list("pk", flat=True)
            self.stderr.write(f"embedded {projects_embed(missing)} projects")
        if need:
            # The command runs as the operator of the machine: no visibility rule applies.
            found = Need.objects.filter(pk=need).first()
            if found is None:
                raise CommandError(f"No need with id {need}.")
            candidates = screening.screen_need(found, limit=limit)
        else:
            candidates = screening.screen(text, limit=limit)
        self.stdout.write("score  text   meaning domains project")
        for candidate in candidates:
            self.stdout.write(
                f"{candidate.score:.3f}  {candidate.text_relevance:.3f}  "
                f"{candidate.similarity:.3f}   {candidate.domain_overlap:.3f}   "
                f"{candidate.project}  [{', '.join(candidate.matching_terms)}]"
            )
        if not candidates:
            self.stdout.write("No project matches.")
