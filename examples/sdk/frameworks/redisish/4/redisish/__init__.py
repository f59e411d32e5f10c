"""redisish 4: a tiny in-memory stand-in for a key-value client (fake, for blitz's example).

StrictRedis is the client class (Redis is an alias); there are no pipelines.
"""
__version__ = "4"


class StrictRedis:
    def __init__(self, host="localhost", port=6379, db=0):
        self.connection_kwargs = {"host": host, "port": port, "db": db}
        self._data = {}

    def execute_command(self, *args):
        name = args[0].upper()
        if name == "SET":
            self._data[args[1]] = args[2]
            return True
        if name == "GET":
            return self._data.get(args[1])
        if name == "DEL":
            return int(self._data.pop(args[1], None) is not None)
        if name == "INCR":
            self._data[args[1]] = int(self._data.get(args[1], 0)) + 1
            return self._data[args[1]]
        raise ValueError("unknown command " + name)

    def set(self, key, value):
        return self.execute_command("SET", key, value)

    def get(self, key):
        return self.execute_command("GET", key)

    def delete(self, key):
        return self.execute_command("DEL", key)

    def incr(self, key):
        return self.execute_command("INCR", key)


Redis = StrictRedis
