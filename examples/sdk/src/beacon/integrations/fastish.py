"""fastish >= 0.100. Middleware are classes wrapping the app; from 0.110 add_middleware takes
options and exception handlers are registered with add_exception_handler()."""
import functools

from beacon.hub import current_hub
from beacon.integrations import Integration


class BeaconASGIMiddleware:
    def __init__(self, app, transaction_style="url"):
        self.app = app
        self.transaction_style = transaction_style

    async def __call__(self, scope):
        hub = current_hub()
        with hub.push_scope() as bscope:
            if self.transaction_style == "url":
                bscope.transaction = scope["path"]
            else:
                bscope.transaction = "%s %s" % (scope["method"], scope["path"])
            hub.add_breadcrumb(bscope.transaction, category="http")
            try:
                return await self.app(scope)
            except Exception as exc:
                hub.capture_exception(exc)
                raise


class FastishIntegration(Integration):
    identifier = "fastish"
    module = "fastish"
    min_version = (0, 100)

    def __init__(self, transaction_style="url"):
        self.transaction_style = transaction_style

    def setup_once(self):
        import fastish
        version = self.framework_version()
        app_cls = fastish.Fastish
        original_init = app_cls.__init__
        style = self.transaction_style

        @functools.wraps(original_init)
        def __init__(app, *args, **kwargs):
            original_init(app, *args, **kwargs)
            if version >= (0, 110):
                app.add_middleware(BeaconASGIMiddleware, transaction_style=style)
            else:
                app.add_middleware(functools.partial(BeaconASGIMiddleware,
                                                     transaction_style=style))
        app_cls.__init__ = __init__
