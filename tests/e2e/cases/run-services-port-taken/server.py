"""A server that, the first time, fails as one whose port another program took."""
import os
import socket
import sys
import time

marker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "first-try")
if not os.path.exists(marker):
    open(marker, "w").close()
    print("bind: Address already in use", file=sys.stderr)
    sys.exit(1)
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(5)
while True:
    c, _ = s.accept()
    c.close()
