import os
import signal
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
role = sys.argv[1]
if role == "child":
    # a child that ignores SIGTERM, with a grandchild of its own
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    subprocess.Popen([sys.executable, __file__, "grandchild"])
elif role != "grandchild":
    subprocess.Popen([sys.executable, __file__, "child"])
    time.sleep(0.5)
    open(os.path.join(here, role + ".started"), "w").close()
    print(role, "is running", flush=True)
time.sleep(300)
