"""A test run keeps its files out of var/: the next `./dev run` would
otherwise find the tests' database, uploads and queued Celery tasks there."""

from pathlib import Path


def test_the_tests_keep_their_database_queue_and_uploads_out_of_var(settings):
    var_dir = Path(settings.VAR_DIR).resolve()
    assert var_dir != (Path(settings.BASE_DIR) / "var").resolve()
    assert Path(settings.CELERY_QUEUE_DIR).resolve().is_relative_to(var_dir)
    assert Path(settings.MEDIA_ROOT).resolve().is_relative_to(var_dir)
    test_db = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if test_db:  # SQLite; PostgreSQL keeps its test database in the server
        assert Path(test_db).resolve().is_relative_to(var_dir)
