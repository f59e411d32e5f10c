"""flaskish 2.1: a tiny stand-in for a WSGI-style web framework (fake, for blitz's example)."""
__version__ = "2.1"


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
        self.teardown_request_funcs = []

    def before_request(self, func):
        self.before_request_funcs.append(func)
        return func

    def teardown_request(self, func):
        self.teardown_request_funcs.append(func)
        return func

    def route(self, path):
        def register(view):
            self.routes[path] = view
            return view
        return register

    def handle(self, path, method="GET"):
        """Returns (status, body)."""
        try:
            return self._handle(path, method)
        finally:
            for func in self.teardown_request_funcs:
                func(path)

    def _handle(self, path, method):
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
