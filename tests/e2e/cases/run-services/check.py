"""One env's job: the services of its slot are empty, its own, and stay its own."""
import os
import sys
import time

import psycopg2
import redis

name = sys.argv[1]
db = psycopg2.connect(os.environ["DATABASE_URL"])
db.autocommit = True
cur = db.cursor()
r = redis.Redis.from_url(os.environ["REDIS_URL"])

cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
tables = cur.fetchone()[0]
assert tables == 0, "%s: %d tables left by an earlier job on slot %s" % (name, tables, os.environ["BLITZ_SLOT"])
assert r.dbsize() == 0, "%s: keys left by an earlier job" % name

cur.execute("CREATE TABLE owner (name text)")
cur.execute("INSERT INTO owner VALUES (%s)", (name,))
r.set("owner", name)
with open(name + ".slot", "w") as f:
    f.write("%s %s %s\n" % (os.environ["BLITZ_SLOT"], os.environ["DATABASE_URL"], os.environ["REDIS_URL"]))

# e1 and e2 run at once, then e3 and e4: wait until the other one has written too
want = 2 if name in ("e1", "e2") else 4
deadline = time.time() + 20
while sum(os.path.exists("e%d.slot" % i) for i in range(1, 5)) < want and time.time() < deadline:
    time.sleep(0.05)
time.sleep(0.2)

cur.execute("SELECT name FROM owner")
rows = [row[0] for row in cur.fetchall()]
assert rows == [name], "%s sees rows %r" % (name, rows)
assert r.get("owner") == name.encode(), "%s sees owner %r" % (name, r.get("owner"))
print(name, "ran alone on slot", os.environ["BLITZ_SLOT"])
