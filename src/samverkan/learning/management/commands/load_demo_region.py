from typing import Any

from django.core.management.base import BaseCommand

from samverkan.learning.demo import load_region


class Command(BaseCommand):
    help = "Ladda ett påhittat exempellän med publicerade omgångar (kunskapsbank, regional vy)."

    def handle(self, *args: Any, **options: Any) -> None:
        scope = load_region()
        self.stdout.write(f"{scope}: {scope.municipalities.count()} kommuner.")
