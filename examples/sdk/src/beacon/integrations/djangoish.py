"""djangoish >= 3.2. Before 4.0 middleware are objects with process_* methods; from 4.0 they are
factories of get_response. From 5.0 requests only have path_info."""
import functools
import sys

from beacon.hub import current_hub
from beacon.integrations import Integration


def request_path(request, version):
    return request.path_info if version >= (5, 0) else request.path


class DjangoishIntegration(Integration):
    identifier = "djangoish"
    module = "djangoish"
    min_version = (3, 2)

    def setup_once(self):
        import djangoish
        version = self.framework_version()
        handler_cls = djangoish.Handler
        original_init = handler_cls.__init__
        if version >= (4, 0):
            middleware = functools.partial(_new_style_middleware, version=version)
        else:
            middleware = _OldStyleMiddleware(version)

        @functools.wraps(original_init)
        def __init__(handler, urls, middleware_list=()):
            original_init(handler, urls, [middleware] + list(middleware_list))
        handler_cls.__init__ = __init__

        def on_exception(sender, request, **kwargs):
            current_hub().capture_exception(sys.exc_info()[1])
        djangoish.got_request_exception.connect(on_exception)


def _name_transaction(request, version):
    scope = current_hub().scope
    scope.transaction = request_path(request, version)
    scope.set_tag("http.method", request.method)
    current_hub().add_breadcrumb(scope.transaction, category="http",
                                 data={"method": request.method})


class _OldStyleMiddleware:
    def __init__(self, version):
        self.version = version

    def process_request(self, request):
        _name_transaction(request, self.version)
        return None

    def process_exception(self, request, exc):
        current_hub().scope.set_tag("djangoish.handled", "false")
        return None


def _new_style_middleware(get_response, version):
    def middleware(request):
        hub = current_hub()
        with hub.push_scope():
            _name_transaction(request, version)
            return get_response(request)
    return middleware
