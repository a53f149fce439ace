"""A pytest plugin, loaded by pytest.ini before Django reads its settings: a
test run keeps its SQLite database, Celery queue, uploads and secret key in a
temporary VAR_DIR of its own. Nothing it leaves behind reaches var/, where the
next `./dev run` worker would pick up the tasks the tests queued."""

import atexit
import os
import shutil
import tempfile

_var_dir = tempfile.mkdtemp(prefix="hotline-tests-")
os.environ["VAR_DIR"] = _var_dir  # inherited by live servers and Celery workers started by the tests
atexit.register(shutil.rmtree, _var_dir, ignore_errors=True)
