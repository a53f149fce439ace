import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The status look-up counts in Django's cache: each test starts at zero."""
    cache.clear()
    yield
    cache.clear()
