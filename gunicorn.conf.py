"""gunicorn settings for estapp: ``gunicorn --config gunicorn.conf.py wsgi:app``.

Everything comes from the ESTAPP_* environment (deploy/estapp.env.example). The settings,
the secret key, the mail settings and the database (reachable, migrated) are checked here, in
the master process before any worker starts, so a misconfiguration ends the start with one
line naming the setting (exit 78: fix the setting; 69: the database is not ready yet).

No state is kept in a worker: logins and login throttling live in the database, the session
cookie is signed with ESTAPP_SECRET_KEY, so any worker on any host can serve any request.
"""

from pathlib import Path

from estapp.ops.logs import gunicorn_logconfig
from estapp.ops.startup import settings_for_start

settings = settings_for_start()

wsgi_app = "wsgi:app"
bind = [settings.web_bind]
workers = settings.web_workers
worker_class = "sync"
# A request that takes longer is stopped and its worker replaced; a lägesbild PDF takes ~1 s.
timeout = settings.web_timeout
graceful_timeout = 30
# Replace workers now and then, so slow growth of a worker's memory never builds up.
max_requests = 1000
max_requests_jitter = 100
# Forwarded headers are trusted by the app itself, for exactly ESTAPP_PROXY_COUNT proxies
# (werkzeug's ProxyFix); gunicorn trusts none, so there is one rule, not two.
forwarded_allow_ips = ""
proc_name = "estapp-web"
# Workers' heartbeat files in memory, not on a disk that may stall (and /tmp is private).
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108
# No runtime control socket: systemd starts, reloads (HUP) and stops the server.
control_socket_disable = True

# gunicorn's messages in the app's format (ESTAPP_LOG_FORMAT) on stderr. There is no separate
# access log: the app logs each request (id, method, path, status, duration) without the query
# string or tokens in the path, which gunicorn's access log would show.
errorlog = "-"
accesslog = None
loglevel = settings.log_level
logconfig_dict = gunicorn_logconfig(settings)
