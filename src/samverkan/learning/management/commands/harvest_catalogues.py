from typing import Any

from django.core.management.base import BaseCommand

from samverkan.learning.harvest import harvest_all


class Command(BaseCommand):
    help = "Hämta de andra instansernas öppna data (kataloger som administratören har listat)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--timeout", type=float, default=None, help="Sekunder per hämtning.")

    def handle(self, *args: Any, **options: Any) -> None:
        for name, outcome in harvest_all(options["timeout"]).items():
            self.stdout.write(f"{name}: {outcome}")
