"""Connect to both servers, say so, then hold them until stopped."""
import os
import sys
import time

import psycopg2
import redis

psycopg2.connect(os.environ["DATABASE_URL"]).cursor().execute("SELECT 1")
redis.Redis.from_url(os.environ["REDIS_URL"]).ping()
ports = [u.split(":")[2].split("/")[0] for u in (os.environ["DATABASE_URL"], os.environ["REDIS_URL"])]
with open(sys.argv[1] + ".ports", "a") as f:
    f.write(" ".join(ports) + "\n")
with open(sys.argv[1] + ".started", "w") as f:
    f.write("")
time.sleep(60)
