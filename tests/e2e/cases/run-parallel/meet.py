import os
import sys
import time

me, everyone = sys.argv[1], sys.argv[2:]
here = os.path.dirname(os.path.abspath(__file__))
open(os.path.join(here, me + ".here"), "w").close()
deadline = time.time() + 30
while time.time() < deadline:
    if all(os.path.exists(os.path.join(here, e + ".here")) for e in everyone):
        print(me, "met everyone")
        sys.exit(0)
    time.sleep(0.05)
print(me, "waited 30 s and never met the others: the envs did not run at once")
sys.exit(1)
