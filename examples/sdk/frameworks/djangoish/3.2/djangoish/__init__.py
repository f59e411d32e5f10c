"""djangoish 3.2: a tiny stand-in for a batteries-included framework (fake, for blitz's example).

Middleware is old-style: objects with process_request(request) and
process_exception(request, exc) methods.
"""
VERSION = (3, 2, 0)
__version__ = "3.2"


class Signal:
    def __init__(self):
        self.receivers = []

    def connect(self, receiver):
        self.receivers.append(receiver)

    def send(self, sender, **kwargs):
        return [(r, r(sender=sender, **kwargs)) for r in self.receivers]


got_request_exception = Signal()


class Request:
    def __init__(self, path, method="GET", META=None):
        self.path = path
        self.method = method
        self.META = dict(META or {})


class HttpResponse:
    def __init__(self, content="", status=200):
        self.content = content
        self.status_code = status


class Handler:
    def __init__(self, urls, middleware=()):
        self.urls = dict(urls)
        self.middleware = list(middleware)

    def get_response(self, request):
        for mw in self.middleware:
            early = mw.process_request(request)
            if early is not None:
                return early
        view = self.urls.get(request.path)
        if view is None:
            return HttpResponse("not found", 404)
        try:
            return view(request)
        except Exception as exc:
            got_request_exception.send(sender=self, request=request)
            for mw in self.middleware:
                handled = mw.process_exception(request, exc)
                if handled is not None:
                    return handled
            return HttpResponse("server error", 500)
