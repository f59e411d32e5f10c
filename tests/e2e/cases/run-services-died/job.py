import os
import signal
import sys
import time

import redis

name = sys.argv[1]
r = redis.Redis.from_url(os.environ["REDIS_URL"])
assert r.dbsize() == 0
r.set("who", name)
if name == "a":
    # the server dies under the job
    os.kill(int(r.info("server")["process_id"]), signal.SIGKILL)
    time.sleep(0.5)
    r.get("who")
elif name == "c":
    with open("c.port", "w") as f:
        f.write(os.environ["REDIS_URL"].split(":")[2].split("/")[0])
    os.kill(os.getpid(), signal.SIGSEGV)
print(name, "done")
