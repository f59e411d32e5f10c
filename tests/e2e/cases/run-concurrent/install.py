import time

with open("installs.log", "a") as f:
    f.write("install\n")
open("installing", "w").close()
time.sleep(1.5)
