"""A real nginx (Debian's package) configured in a prefix folder of its own, for tests and benches.

Each instance keeps its config, pid file, error log and temp folders under its prefix, so nothing
touches /etc/nginx or /var/log/nginx and several instances can run side by side.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

_MAIN = """\
{user}worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path {prefix}/tmp/body;
  proxy_temp_path {prefix}/tmp/proxy;
  fastcgi_temp_path {prefix}/tmp/fastcgi;
  uwsgi_temp_path {prefix}/tmp/uwsgi;
  scgi_temp_path {prefix}/tmp/scgi;
{servers}
}}
"""


def prepare(prefix: Path, servers: str) -> list[str]:
    """Write the config for `servers` (http-block server sections) and its folders, check it
    with `nginx -t` (a config error reads as one), and return the command that runs it in the
    foreground. RuntimeError when the config is refused."""
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    # As root, nginx would switch its worker to `nobody`, which cannot enter a private temp
    # folder; keeping the worker as root avoids that in CI containers. Unprivileged runs ignore
    # `user` anyway (with a warning), so leave it out there.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(_MAIN.format(user=user, prefix=prefix, servers=servers))
    # -e: the error log before the config is read (otherwise /var/log/nginx/error.log).
    argv = ["nginx", "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf)]
    test = subprocess.run([*argv, "-t", "-q"], capture_output=True, text=True, check=False)
    if test.returncode != 0:
        raise RuntimeError(f"nginx config in {prefix} is invalid:\n{test.stderr}")
    return argv
