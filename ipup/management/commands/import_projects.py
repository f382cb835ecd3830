"""``python manage.py import_projects PATH… [--organisations ORG_CSV]``: load research projects
from the EU open data (ipup.importers reads, ipup.services.projects writes)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ipup.importers import Format, RowError, read
from ipup.services.projects import projects_import


class Command(BaseCommand):
    help = (
        "Import research projects from CORDIS project exports (CSV or JSON) and the Open "
        "Security Data Europe export; --organisations adds the consortia from a CORDIS "
        "organisation file. Re-importing updates, never duplicates."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--organisations", type=Path, help="CORDIS organization.csv")
        parser.add_argument(
            "--progress",
            choices=["auto", "always", "never"],
            default="auto",
            help="the progress bar: on a terminal only (auto), or always / never",
        )

    def handle(self, *args, paths, organisations, progress, **options):
        # (call_command passes keyword options as they are, not through the parser's type)
        paths = [Path(path) for path in paths]
        organisations = Path(organisations) if organisations else None
        records, participants, rejected = [], [], []
        for path in [*paths, *([organisations] if organisations else [])]:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
            try:
                result = read(path)
            except RowError as error:
                raise CommandError(str(error)) from error
            if (result.format == Format.ORGANISATIONS) != (path == organisations):
                raise CommandError(
                    f"{path}: an organisation file goes with --organisations, projects without"
                )
            (participants if path == organisations else records).extend(result.records)
            rejected.extend(f"{path.name}, {row}" for row in result.rejected)
        # A progress bar helps a person at a terminal; in a log (cron, CI) it is noise. It goes
        # to stderr, so that stdout keeps only the report; tqdm writes its own line endings.
        shown = progress == "always" or (progress == "auto" and self.stderr.isatty())
        self.stderr.ending = ""
        with tqdm(total=len(records), unit="project", disable=not shown, file=self.stderr) as bar:
            summary = projects_import(
                records=records, participants=participants, progress=bar.update
            )
        for row in [*rejected, *(str(r) for r in summary.rejected)]:
            self.stdout.write(self.style.WARNING(f"rejected {row}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.created} created, {summary.updated} updated, "
                f"{len(rejected) + len(summary.rejected)} rejected"
                + (f", {summary.participants} consortium members" if participants else "")
            )
        )
