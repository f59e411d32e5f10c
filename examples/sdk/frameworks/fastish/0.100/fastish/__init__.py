"""fastish 0.100: a tiny stand-in for an async (ASGI-style) framework (fake, for blitz's example).

Exception handlers live in the public dict app.exception_handlers.
"""
__version__ = "0.100"


class Fastish:
    def __init__(self):
        self.routes = {}
        self.middleware = []
        self.exception_handlers = {}

    def _register(self, method, path):
        def register(endpoint):
            self.routes[(method, path)] = endpoint
            return endpoint
        return register

    def get(self, path):
        return self._register("GET", path)

    def post(self, path):
        return self._register("POST", path)

    def add_middleware(self, cls):
        self.middleware.append(cls)

    async def _endpoint(self, scope):
        endpoint = self.routes.get((scope["method"], scope["path"]))
        if endpoint is None:
            return {"status": 404, "body": "not found"}
        try:
            return {"status": 200, "body": await endpoint(scope)}
        except Exception as exc:
            for kind in type(exc).__mro__:
                handler = self.exception_handlers.get(kind)
                if handler is not None:
                    return await handler(scope, exc)
            raise

    async def __call__(self, scope):
        app = self._endpoint
        for cls in reversed(self.middleware):
            app = cls(app)
        return await app(scope)
