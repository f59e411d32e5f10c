import os
import time

with open("installs.log", "a") as f:
    f.write("install\n")
if not os.path.exists("hung-once"):
    open("hung-once", "w").close()
    time.sleep(300)
