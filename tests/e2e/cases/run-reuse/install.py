import os
import sys

# what pip would install, logged: one line per install
with open("installs.log", "a") as f:
    f.write(" ".join(sys.argv[1:]) + "\n")
os.makedirs(os.path.join(os.environ["VIRTUAL_ENV"], "installed"), exist_ok=True)
