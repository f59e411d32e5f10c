"""flaskish 3.0: requests and responses are objects; handle() is gone (fake, for blitz's example)."""
__version__ = "3.0"


class Signal:
    def __init__(self):
        self.receivers = []

    def connect(self, func):
        self.receivers.append(func)
        return func

    def send(self, sender, **kwargs):
        return [func(sender, **kwargs) for func in self.receivers]


got_request_exception = Signal()
request_finished = Signal()


class Request:
    def __init__(self, path, method="GET", headers=None):
        self.path = path
        self.method = method
        self.headers = dict(headers or {})


class Response:
    def __init__(self, body, status=200):
        self.body = body
        self.status = status


class Flaskish:
    def __init__(self, name):
        self.name = name
        self.routes = {}
        self.before_request_funcs = []
        self.teardown_request_funcs = []

    def route(self, path, methods=("GET",)):
        def register(view):
            for method in methods:
                self.routes[(method, path)] = view
            return view
        return register

    def before_request(self, func):
        self.before_request_funcs.append(func)
        return func

    def teardown_request(self, func):
        self.teardown_request_funcs.append(func)
        return func

    def full_dispatch(self, request):
        try:
            for func in self.before_request_funcs:
                func(request)
            view = self.routes.get((request.method, request.path))
            if view is None:
                return Response("not found", 404)
            try:
                result = view(request)
            except Exception as exc:
                got_request_exception.send(self, exception=exc, request=request)
                return Response("internal error", 500)
            response = result if isinstance(result, Response) else Response(result)
            request_finished.send(self, response=response)
            return response
        finally:
            for func in self.teardown_request_funcs:
                func(request)
