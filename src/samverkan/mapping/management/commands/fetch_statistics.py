"""python manage.py fetch_statistics kolada|population --municipality 0180 --years 2020-2024
--partnership ID --party ID [--kpi N07403]
python manage.py fetch_statistics polisen --municipality 0581 --partnership ID --party ID"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samverkan.mapping import official
from samverkan.mapping.choices import ImportStatus
from samverkan.mapping.services import party_for_command


class Command(BaseCommand):
    help = (
        "Fetch official statistics from a public API and import them into a party's mapping: "
        "'kolada' key figures (Kolada API v2, --kpi) or 'population' per municipality and "
        "year (SCB, table BE0101N1), or 'polisen': the latest events Polisen has published "
        "for the municipality (POLISEN_EVENTS_URL; a selection of notices, not crime "
        "statistics; events already imported are skipped). The answer is saved as a file and "
        "imported like an upload: all or nothing, recorded as an import with its data "
        "source. Without network, or when the API answers with an error, nothing is imported "
        "and the exit code is 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["kolada", "population", "polisen"])
        parser.add_argument(
            "--kpi", action="append", default=[], help="Kolada key figure id, e.g. N07403"
        )
        parser.add_argument(
            "--municipality",
            action="append",
            required=True,
            help="four-digit municipality code (or name), e.g. 0180; may be repeated",
        )
        parser.add_argument(
            "--years", help="e.g. 2020-2024, 2024 or 2020,2022 (kolada and population)"
        )
        parser.add_argument("--partnership", type=int, required=True)
        parser.add_argument("--party", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        party = party_for_command(options["partnership"], options["party"])
        if party is None:
            raise CommandError(
                f"party {options['party']} is not part of partnership {options['partnership']}"
            )
        try:
            codes = official.municipality_codes(options["municipality"])
            if options["what"] == "polisen":
                if options["kpi"] or options["years"]:
                    raise official.FetchError(
                        "polisen takes no --kpi or --years: the API gives its latest events"
                    )
                answer = official.fetch_polisen(codes)
            elif not options["years"]:
                raise official.FetchError("name the years with --years, e.g. 2020-2024")
            elif options["what"] == "kolada":
                answer = official.fetch_kolada(
                    options["kpi"], codes, official.parse_years(options["years"])
                )
            elif options["kpi"]:
                raise official.FetchError("--kpi belongs to kolada, not to population")
            else:
                answer = official.fetch_population(codes, official.parse_years(options["years"]))
        except official.FetchError as exc:
            raise CommandError(f"{options['what']}: {exc}; nothing imported") from None
        record, result, source = official.import_answer(party, answer)
        name = answer.file_name
        if record.status == ImportStatus.DUPLICATE:
            self.stdout.write(
                f"{name}: fetched from {answer.host}, already imported (import {record.pk}); "
                "nothing added"
            )
            return
        if record.status == ImportStatus.FAILED:
            raise CommandError(
                f"{name}: fetched from {answer.host} but the import was stopped by an "
                f"unexpected error (logged above); nothing saved (import {record.pk})"
            )
        if not result.ok:
            lines = [f"  {issue.en}" for issue in result.errors]
            if result.error_count > len(result.errors):
                lines.append(f"  ... and {result.error_count - len(result.errors)} more")
            raise CommandError(
                f"{name}: fetched from {answer.host} but rejected, {result.error_count} "
                f"problem(s), nothing saved (import {record.pk})\n" + "\n".join(lines)
            )
        self.stdout.write(
            f"{name}: fetched from {answer.host}, {result.rows_total} rows read, "
            f"{result.rows_imported} imported, {result.rows_skipped} already present "
            f"(import {record.pk}, source '{source.name}')"
        )
