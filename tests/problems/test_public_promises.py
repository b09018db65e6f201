"""The public promise page: no login, only published promises, nothing confidential or
operational, no names from the activity log; an Atom feed (issue 15)."""

import datetime

from django.urls import reverse

from samverkan.implementation.models import ActivityEntry
from samverkan.problems.models import CitizenPromise, Measure


def test_nothing_is_public_until_a_promise_is_published(client, demo):
    CitizenPromise.objects.filter(partnership=demo).update(published=False)
    url = reverse("public:promises", kwargs={"pk": demo.pk})
    assert client.get(url).status_code == 404
    assert client.get(reverse("public:promises_feed", kwargs={"pk": demo.pk})).status_code == 404
    assert client.get(reverse("public:promises", kwargs={"pk": 999999})).status_code == 404


def test_published_promises_are_shown_without_login_with_progress_in_plain_words(client, demo):
    promise = CitizenPromise.objects.filter(partnership=demo).first()
    measure = promise.measures.first()
    ActivityEntry.objects.create(
        measure=measure,
        date=datetime.date(2010, 5, 7),
        what="Samtal med Kalle Svensson",
        by_whom="Per Holm",
    )
    page = client.get(reverse("public:promises", kwargs={"pk": demo.pk})).content.decode()
    for p in CitizenPromise.objects.filter(partnership=demo, published=True):
        assert p.wording in page
    assert "Arbetet pågår" in page or "genomfört" in page
    for secret in ("Kalle Svensson", "Per Holm", "LVM", "smuggelsprit", "livsstilskriminella"):
        assert secret not in page
    for m in Measure.objects.filter(partnership=demo):
        assert m.title not in page  # working titles never reach residents
    assert 'type="application/atom+xml"' in page


def test_a_measure_that_turned_confidential_no_longer_tells_its_progress(client, demo):
    promise = CitizenPromise.objects.filter(partnership=demo).first()
    before = client.get(reverse("public:promises", kwargs={"pk": demo.pk})).content.decode()
    promise.measures.update(confidential=True)
    after = client.get(reverse("public:promises", kwargs={"pk": demo.pk})).content.decode()
    assert before != after and "Vi berättar här när arbetet har börjat." in after


def test_atom_feed_lists_the_published_promises(client, demo):
    feed = client.get(reverse("public:promises_feed", kwargs={"pk": demo.pk}))
    assert feed["Content-Type"].startswith("application/atom+xml")
    text = feed.content.decode()
    assert text.count("<entry>") == CitizenPromise.objects.filter(published=True).count()
    assert "LVM" not in text and "smuggelsprit" not in text
