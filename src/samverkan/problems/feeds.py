"""An Atom feed of a partnership's published citizen promises and how they are going."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from samverkan.problems import public


class PromiseFeed(Feed):
    feed_type = Atom1Feed
    access = "public"

    def get_object(self, request: Any, pk: int) -> tuple:
        return public.published(pk)

    def title(self, obj: tuple) -> str:
        return f"Medborgarlöften – {obj[0].name}"

    def link(self, obj: tuple) -> str:
        return reverse("public:promises", kwargs={"pk": obj[0].pk})

    def subtitle(self, obj: tuple) -> str:
        return f"Vad {obj[0].police_area} och {obj[0].municipality} lovar, och hur det går."

    def items(self, obj: tuple) -> list:
        return sorted(obj[1], key=lambda p: p.updated, reverse=True)

    def item_title(self, item: public.PublicPromise) -> str:
        return item.promise.wording[:120]

    def item_description(self, item: public.PublicPromise) -> str:
        lines = [item.promise.wording, *[p.text for p in item.progress]]
        return "\n".join(lines)

    def item_link(self, item: public.PublicPromise) -> str:
        return reverse("public:promises", kwargs={"pk": item.promise.partnership_id}) + (
            f"#lofte-{item.promise.pk}"
        )

    def item_updateddate(self, item: public.PublicPromise) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(item.updated, datetime.time(12)))

    def item_pubdate(self, item: public.PublicPromise) -> datetime.datetime:
        return self.item_updateddate(item)
