"""flaskish 2.0: a tiny stand-in for a WSGI-style web framework (fake, for blitz's example)."""
__version__ = "2.0"


class Signal:
    def __init__(self):
        self.receivers = []

    def connect(self, func):
        self.receivers.append(func)
        return func

    def send(self, sender, **kwargs):
        return [func(sender, **kwargs) for func in self.receivers]


got_request_exception = Signal()


class Flaskish:
    def __init__(self, name):
        self.name = name
        self.routes = {}
        self.before_request_funcs = []

    def route(self, path):
        def register(view):
            self.routes[path] = view
            return view
        return register

    def handle(self, path, method="GET"):
        """Returns (status, body)."""
        for func in self.before_request_funcs:
            func(path)
        view = self.routes.get(path)
        if view is None:
            return 404, "not found"
        try:
            return 200, view()
        except Exception as exc:
            got_request_exception.send(self, exception=exc)
            return 500, "internal error"
