"""Entry point for gunicorn: ``gunicorn --config gunicorn.conf.py wsgi:app``.

gunicorn.conf.py has already checked the settings and the database in the master process;
this repeats only the settings, so a server started without that file still stops with one
clear line instead of a traceback per worker.
"""

from estapp import create_app
from estapp.config import ConfigError, load_settings
from estapp.ops.logs import configure_logging
from estapp.ops.startup import freeze_startup_heap, refuse

# gunicorn stops the whole server when a worker exits with 3 (a boot error) instead of
# starting new workers that fail the same way.
WORKER_BOOT_ERROR = 3

try:
    settings = load_settings()
except ConfigError as error:
    refuse(str(error), WORKER_BOOT_ERROR)
configure_logging(settings, component="web")
app = create_app(settings)
freeze_startup_heap()
