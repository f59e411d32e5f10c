"""Keep a key in this slot's Redis, wait while another run comes and goes, then find it, its folder and the env."""
import os
import sys
import time

import redis

r = redis.from_url(os.environ["REDIS_URL"])
r.set("mine", os.environ["VIRTUAL_ENV"])
hold = os.environ.get("HOLD")
if hold:
    open(hold + ".started", "w").close()
    deadline = time.time() + 60
    while not os.path.exists(hold) and time.time() < deadline:
        time.sleep(0.1)
try:
    value = r.get("mine")
except Exception as e:
    sys.exit("its Redis is gone: %s" % e)
if value != os.environ["VIRTUAL_ENV"].encode():
    sys.exit("its Redis lost its key: %r" % value)
if not os.path.isdir(os.environ["SERVICE_DIR"]):
    sys.exit("its service folder is gone: %s" % os.environ["SERVICE_DIR"])
if not os.path.isfile(os.path.join(os.environ["VIRTUAL_ENV"], "pyvenv.cfg")):
    sys.exit("its env is gone: %s" % os.environ["VIRTUAL_ENV"])
print("kept its Redis and its env")
