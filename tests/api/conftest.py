"""The API's tests."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_rate_limit_counts(settings):
    """Each test starts with no API requests counted. The counts live in the cache under the
    token's id, and a module's tokens get the ids of the module's before it (its rows are rolled
    back), so a busy module would otherwise spend the next one's budget (429)."""
    from django.core.cache import cache

    cache.clear()
