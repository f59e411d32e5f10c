"""Scopes: what is attached to every event captured while they are active."""
import collections
import copy

from beacon.utils import now_ms


class Scope:
    def __init__(self, max_breadcrumbs=100):
        self.tags = {}
        self.extra = {}
        self.user = None
        self.transaction = None
        self.level = None
        self.fingerprint = None
        self.breadcrumbs = collections.deque(maxlen=max_breadcrumbs)
        self.event_processors = []

    def set_tag(self, key, value):
        self.tags[str(key)] = str(value)

    def remove_tag(self, key):
        self.tags.pop(key, None)

    def set_extra(self, key, value):
        self.extra[key] = value

    def set_user(self, user):
        self.user = dict(user) if user is not None else None

    def add_breadcrumb(self, message=None, category="default", level="info", data=None):
        self.breadcrumbs.append({"timestamp": now_ms(), "message": message, "category": category,
                                 "level": level, "data": dict(data or {})})

    def clear_breadcrumbs(self):
        self.breadcrumbs.clear()

    def add_event_processor(self, func):
        self.event_processors.append(func)

    def copy(self):
        new = Scope(self.breadcrumbs.maxlen)
        new.tags = dict(self.tags)
        new.extra = copy.deepcopy(self.extra)
        new.user = dict(self.user) if self.user else None
        new.transaction = self.transaction
        new.level = self.level
        new.fingerprint = list(self.fingerprint) if self.fingerprint else None
        new.breadcrumbs.extend(self.breadcrumbs)
        new.event_processors = list(self.event_processors)
        return new

    def apply(self, event):
        """Returns the event with the scope's data merged in, or None if a processor dropped it."""
        event = dict(event)
        event["tags"] = dict(self.tags, **event.get("tags", {}))
        event["extra"] = dict(self.extra, **event.get("extra", {}))
        if self.user and "user" not in event:
            event["user"] = dict(self.user)
        if self.transaction and "transaction" not in event:
            event["transaction"] = self.transaction
        if self.level:
            event["level"] = self.level
        if self.fingerprint:
            event["fingerprint"] = list(self.fingerprint)
        if self.breadcrumbs:
            event["breadcrumbs"] = list(self.breadcrumbs) + event.get("breadcrumbs", [])
        for processor in self.event_processors:
            event = processor(event)
            if event is None:
                return None
        return event
