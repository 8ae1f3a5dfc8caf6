"""gunicorn settings for Leadline (`gunicorn -c python:webapp.ops.gunicorn_conf ...`).

Logs: gunicorn's own lines as JSON on stdout like the app's; no access log, since the app
logs each request itself with its route, status, duration and request id.
Shutdown: on SIGTERM gunicorn stops accepting and lets requests in flight finish for
`graceful_timeout` seconds (GUNICORN_CMD_ARGS or the command line may change it).
Metrics: PROMETHEUS_MULTIPROC_DIR is emptied by whoever starts all the processes (`leadline
up`, or the compose file's migrate step with `leadline metrics reset`), not here: a worker
beside this server may already have written to it.
"""

graceful_timeout = 30
accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "webapp.ops.logs.JsonFormatter"}},
    "handlers": {"stdout": {"class": "webapp.ops.logs.StdoutHandler", "formatter": "json"}},
    "root": {"level": "INFO", "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
}
