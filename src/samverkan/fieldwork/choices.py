"""Named choices for field work, with translated labels."""

from django.utils.translation import gettext_lazy as _

# The categories a new partnership starts with; the partnership may add and retire its own.
DEFAULT_CATEGORIES = (
    _("Ordningsstörning"),
    _("Skadegörelse"),
    _("Nedskräpning"),
    _("Klotter"),
    _("Narkotikaförsäljning"),
    _("Hot eller våld"),
    _("Otrygg plats"),
    _("Positiv iakttagelse"),
)

# Categories whose reports are always "notable" in the weekly picture (by their Swedish name,
# as stored): what a coordinator must see even when it happened only once.
SERIOUS_CATEGORIES = frozenset({"Hot eller våld", "Narkotikaförsäljning"})
POSITIVE_CATEGORY = "Positiv iakttagelse"
