import os
import subprocess
import sys
import time

if sys.argv[1] == "hold":
    print("grandchild holding the output", flush=True)
    time.sleep(300)
    sys.exit(0)
child = subprocess.Popen([sys.executable, os.path.abspath(__file__), "hold", sys.argv[1]],
                         start_new_session=sys.argv[1] == "escapes")
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, sys.argv[1] + ".pid"), "w") as f:
    f.write(str(child.pid))
print(sys.argv[1], "exits, leaving", child.pid, flush=True)
