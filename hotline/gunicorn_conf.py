"""gunicorn settings: `gunicorn hotline.wsgi -c python:hotline.gunicorn_conf`."""

logger_class = "hotline.log_filters.GunicornLogger"
