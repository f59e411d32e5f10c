import os
import time

ports = [u.split(":")[2].split("/")[0] for u in (os.environ["DATABASE_URL"], os.environ["REDIS_URL"])]
with open("ports", "w") as f:
    f.write(" ".join(ports) + "\n")
time.sleep(60)
