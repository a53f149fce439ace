import shutil

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _empty_attachment_storage():
    """Each test starts with no stored file (case ids repeat between tests)."""
    shutil.rmtree(settings.ATTACHMENTS_DIR, ignore_errors=True)
    yield
