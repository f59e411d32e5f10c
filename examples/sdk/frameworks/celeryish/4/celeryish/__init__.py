"""celeryish 4: a tiny stand-in for a task queue; tasks run eagerly (fake, for blitz's example).

Failures are reported through the module-level signal task_failure.
"""
__version__ = "4"


class Signal:
    def __init__(self):
        self.receivers = []

    def connect(self, receiver):
        self.receivers.append(receiver)
        return receiver

    def send(self, **kwargs):
        for receiver in self.receivers:
            receiver(**kwargs)


task_failure = Signal()


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
        self.name = func.__name__

    def __call__(self, *args, **kwargs):
        return self.func(*args, **kwargs)

    def delay(self, *args, **kwargs):
        try:
            return AsyncResult(self(*args, **kwargs))
        except Exception as exc:
            task_failure.send(sender=self, exception=exc, args=args, kwargs=kwargs)
            return AsyncResult(error=exc)


class Celeryish:
    def __init__(self, main):
        self.main = main
        self.tasks = {}

    def task(self, func):
        task = Task(self, func)
        self.tasks[task.name] = task
        return task
