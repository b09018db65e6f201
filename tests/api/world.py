"""The API's objects in every test world: a webhook of the partnership (see tests/factories.py)."""

from samverkan.api.models import Webhook


def build(world) -> dict:
    hook = Webhook.objects.create(
        partnership=world.partnership,
        owner=world.membership.user,
        name="Diariet",
        url="https://diarium.example.se/hook",
        events=["issued", "decided"],
        secret=Webhook.new_secret(),
        # Switched off: other tests that issue documents in the world must not send anything.
        active=False,
    )
    return {"webhook_id": hook.pk}
