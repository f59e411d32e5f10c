"""djangoish 4.2: new-style middleware (factories of get_response) and an async handler
(fake, for blitz's example)."""
import asyncio

VERSION = (4, 2, 0)
__version__ = "4.2"


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
        self.path_info = path
        self.method = method
        self.META = dict(META or {})


class HttpResponse:
    def __init__(self, content="", status=200):
        self.content = content
        self.status_code = status


class Handler:
    def __init__(self, urls, middleware=()):
        self.urls = dict(urls)
        chain = self._view_response
        for factory in reversed(list(middleware)):
            chain = factory(chain)
        self._chain = chain

    def _view_response(self, request):
        view = self.urls.get(request.path_info)
        if view is None:
            return HttpResponse("not found", 404)
        try:
            return view(request)
        except Exception:
            got_request_exception.send(sender=self, request=request)
            return HttpResponse("server error", 500)

    def get_response(self, request):
        return self._chain(request)

    async def aget_response(self, request):
        await asyncio.sleep(0)
        return self.get_response(request)
