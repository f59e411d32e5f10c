"""fastish 0.110: exception handlers are registered with add_exception_handler() and
middleware takes options (fake, for blitz's example)."""
__version__ = "0.110"


class Fastish:
    def __init__(self):
        self.routes = {}
        self.user_middleware = []
        self._exception_handlers = {}

    def _register(self, method, path):
        def register(endpoint):
            self.routes[(method, path)] = endpoint
            return endpoint
        return register

    def get(self, path):
        return self._register("GET", path)

    def post(self, path):
        return self._register("POST", path)

    def add_middleware(self, cls, **options):
        self.user_middleware.append((cls, options))

    def add_exception_handler(self, kind, handler):
        self._exception_handlers[kind] = handler

    async def _endpoint(self, scope):
        endpoint = self.routes.get((scope["method"], scope["path"]))
        if endpoint is None:
            return {"status": 404, "body": "not found"}
        try:
            return {"status": 200, "body": await endpoint(scope)}
        except Exception as exc:
            for kind in type(exc).__mro__:
                handler = self._exception_handlers.get(kind)
                if handler is not None:
                    return await handler(scope, exc)
            raise

    async def __call__(self, scope):
        app = self._endpoint
        for cls, options in reversed(self.user_middleware):
            app = cls(app, **options)
        return await app(scope)
