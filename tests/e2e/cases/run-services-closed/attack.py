"""Run as the job (root): its servers work for it; as another local user they do not."""
import os
import socket
import subprocess
import urllib.parse

import psycopg2
import redis

db_url = os.environ["DATABASE_URL"]
redis_url = os.environ["REDIS_URL"]
# a socket folder (host=/dir in the query) or a TCP address, as a definition may give
db = urllib.parse.urlsplit(db_url)
query = urllib.parse.parse_qs(db.query)
pg_dir = query.get("host", [db.hostname])[0]
pg_port = int(query.get("port", [db.port])[0])
rs = urllib.parse.urlsplit(redis_url)
redis_sock = rs.path if rs.scheme == "unix" else "%s:%s" % (rs.hostname, rs.port)

# the job itself: both servers answer
conn = psycopg2.connect(db_url)
conn.cursor().execute("SELECT 1")
assert redis.Redis.from_url(redis_url).ping()
print("the job reaches both servers")

# no TCP: nothing listens on the port the PostgreSQL socket is named by
try:
    socket.create_connection(("127.0.0.1", pg_port), 1)
    print("PostgreSQL listens on TCP port", pg_port)
except OSError:
    print("no TCP port open")

# another local user, through the sockets
other = r'''
import sys, psycopg2, redis
try:
    psycopg2.connect(host=sys.argv[1], port=int(sys.argv[2]), user="postgres", dbname="postgres")
    print("other user: PostgreSQL let me in")
except psycopg2.OperationalError as e:
    print("other user: PostgreSQL refused:", "Permission denied" in str(e) and "permission denied" or str(e))
try:
    if sys.argv[3].startswith("/"):
        redis.Redis(unix_socket_path=sys.argv[3]).ping()
    else:
        redis.Redis(host=sys.argv[3].split(":")[0], port=int(sys.argv[3].split(":")[1])).ping()
    print("other user: Redis let me in")
except redis.exceptions.ConnectionError as e:
    print("other user: Redis refused:", "Permission denied" in str(e) and "permission denied" or str(e))
'''
out = subprocess.run(["runuser", "-u", "blitz-e2e-other", "--", "/usr/bin/python3", "-c", other,
                      pg_dir, str(pg_port), redis_sock], cwd="/", capture_output=True, text=True)
print(out.stdout.strip())
if out.returncode:
    print("other user's attempt ended", out.returncode, out.stderr.strip()[-300:])

# what a service's commands get from blitz's environment: no secret (the script sets two)
names = open(os.environ["PROBE_ENV"]).read().split("\n")
leaked = [n for n in names if n in ("BLITZ_E2E_SECRET", "CI_JOB_TOKEN")]
print("a service's environment:", "leaks " + ",".join(leaked) if leaked else "no secrets", "(%s)" % " ".join(sorted(names)))
