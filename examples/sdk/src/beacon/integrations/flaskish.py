"""flaskish >= 2.0. Before 3.0 requests are (path, method) handled by App.handle; from 3.0 they
are Request objects dispatched by App.full_dispatch."""
import functools

from beacon.hub import current_hub
from beacon.integrations import Integration


class FlaskishIntegration(Integration):
    identifier = "flaskish"
    module = "flaskish"
    min_version = (2, 0)

    def setup_once(self):
        import flaskish
        version = self.framework_version()
        app_cls = flaskish.Flaskish
        if version >= (3, 0):
            original = app_cls.full_dispatch

            @functools.wraps(original)
            def full_dispatch(app, request):
                hub = current_hub()
                with hub.push_scope() as scope:
                    scope.transaction = "%s %s" % (request.method, request.path)
                    scope.set_extra("request", {"method": request.method, "url": request.path,
                                                "headers": dict(request.headers)})
                    hub.add_breadcrumb(scope.transaction, category="http")
                    return original(app, request)
            app_cls.full_dispatch = full_dispatch
        else:
            original = app_cls.handle

            @functools.wraps(original)
            def handle(app, path, method="GET"):
                hub = current_hub()
                with hub.push_scope() as scope:
                    scope.transaction = path
                    scope.set_extra("request", {"method": method, "url": path})
                    hub.add_breadcrumb("%s %s" % (method, path), category="http")
                    return original(app, path, method)
            app_cls.handle = handle
        flaskish.got_request_exception.connect(_capture)


def _capture(sender, exception, **kwargs):
    hub = current_hub()
    hub.scope.set_tag("flaskish.app", sender.name)
    hub.capture_exception(exception)
