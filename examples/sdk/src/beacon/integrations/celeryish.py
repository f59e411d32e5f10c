"""celeryish >= 4. Version 4 reports failures through the task_failure signal; version 5 through
hooks on the app, and its apply_async() carries headers, which beacon uses to pass the trace."""
import functools

from beacon.hub import current_hub
from beacon.integrations import Integration

TRACE_HEADER = "beacon-trace"


def _report(task, exc):
    hub = current_hub()
    with hub.push_scope() as scope:
        scope.transaction = task.name
        scope.set_tag("celeryish.task", task.name)
        hub.capture_exception(exc)


class CeleryishIntegration(Integration):
    identifier = "celeryish"
    module = "celeryish"
    min_version = (4,)

    def setup_once(self):
        import celeryish
        version = self.framework_version()
        if version >= (5,):
            original_init = celeryish.Celeryish.__init__

            @functools.wraps(original_init)
            def __init__(app, *args, **kwargs):
                original_init(app, *args, **kwargs)
                app.on_task_failure(_report)
            celeryish.Celeryish.__init__ = __init__

            original_apply = celeryish.Task.apply_async

            @functools.wraps(original_apply)
            def apply_async(task, args=(), kwargs=None, headers=None):
                headers = dict(headers or {})
                headers.setdefault(TRACE_HEADER, current_hub().scope.tags.get("trace", "none"))
                return original_apply(task, args, kwargs, headers)
            celeryish.Task.apply_async = apply_async
        else:
            def on_failure(sender, exception, **kwargs):
                _report(sender, exception)
            celeryish.task_failure.connect(on_failure)
