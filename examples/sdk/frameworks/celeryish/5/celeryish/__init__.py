"""celeryish 5: tasks are named "<main>.<func>", apply_async() takes args/kwargs/headers, and
failures go to hooks registered on the app (fake, for blitz's example)."""
__version__ = "5"


class AsyncResult:
    def __init__(self, value=None, error=None):
        self.value = value
        self.error = error

    def get(self):
        if self.error is not None:
            raise self.error
        return self.value

    @property
    def failed(self):
        return self.error is not None


class Task:
    def __init__(self, app, func):
        self.app = app
        self.func = func
        self.name = "%s.%s" % (app.main, func.__name__)
        self.request_headers = {}

    def __call__(self, *args, **kwargs):
        return self.func(*args, **kwargs)

    def apply_async(self, args=(), kwargs=None, headers=None):
        kwargs = kwargs or {}
        self.request_headers = dict(headers or {})
        try:
            return AsyncResult(self(*args, **kwargs))
        except Exception as exc:
            for hook in self.app.failure_hooks:
                hook(self, exc)
            return AsyncResult(error=exc)

    def delay(self, *args, **kwargs):
        return self.apply_async(args, kwargs)


class Celeryish:
    def __init__(self, main):
        self.main = main
        self.tasks = {}
        self.failure_hooks = []

    def task(self, func):
        task = Task(self, func)
        self.tasks[task.name] = task
        return task

    def on_task_failure(self, hook):
        self.failure_hooks.append(hook)
        return hook
