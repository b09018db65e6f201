"""Addresses are Swedish: no English word as a path segment of a page (issue 16)."""

from django.urls import reverse

from tests.accounts.test_access_every_url import all_patterns

# English words that once were, or could easily become, path segments of pages.
ENGLISH = {
    "sources", "resources", "activities", "surveys", "costs", "notes", "walks", "documents",
    "problems", "followup", "mapping", "partnerships", "jobs", "members", "groups", "goals",
    "measures", "decisions", "meetings", "history", "settings", "edit", "delete", "new",
    "upload", "download", "confirm", "map", "statistics", "report", "plan",
}  # fmt: skip


def test_no_page_address_has_an_english_segment():
    for name, pattern in all_patterns():
        if name.startswith(("admin:", "api-v1:")):
            continue
        segments = {s for s in str(pattern.pattern).split("/") if s and not s.startswith("<")}
        assert not segments & ENGLISH, f"{name}: {pattern.pattern}"


def test_mapping_registers_have_swedish_addresses(client, world):
    kwargs = {"pk": world.ours.partnership.pk, "party_id": world.ours.kommun.pk}
    expected = {
        "sources": "kallor",
        "resources": "resurser",
        "activities": "aktiviteter",
        "surveys": "trygghetsmatningar",
        "costs": "kostnader",
        "notes": "erfarenheter",
        "walks": "trygghetsvandringar",
    }
    client.force_login(world.alice)
    for slug, part in expected.items():
        url = reverse(f"mapping:{slug}_list", kwargs=kwargs)
        assert url.endswith(f"/kartlaggning/parter/{world.ours.kommun.pk}/{part}/")
        assert client.get(url).status_code == 200
    workspace = client.get(reverse("mapping:workspace", kwargs=kwargs)).content.decode()
    assert "/kallor/" in workspace and "/sources/" not in workspace
