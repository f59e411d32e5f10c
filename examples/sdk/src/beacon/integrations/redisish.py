"""redisish >= 4. Version 4's client class is StrictRedis; version 5 calls it Redis and adds
pipelines, whose execute() beacon records as one breadcrumb."""
import functools

from beacon.hub import current_hub
from beacon.integrations import Integration

MAX_KEY = 64


def describe(args):
    parts = [str(args[0]).upper()]
    if len(args) > 1:
        key = str(args[1])
        parts.append(key if len(key) <= MAX_KEY else key[: MAX_KEY - 3] + "...")
    return " ".join(parts)


class RedisishIntegration(Integration):
    identifier = "redisish"
    module = "redisish"
    min_version = (4,)

    def setup_once(self):
        import redisish
        version = self.framework_version()
        client_cls = redisish.Redis if version >= (5,) else redisish.StrictRedis
        original = client_cls.execute_command

        @functools.wraps(original)
        def execute_command(client, *args):
            current_hub().add_breadcrumb(describe(args), category="redis",
                                         data={"db": client.connection_kwargs["db"]})
            return original(client, *args)
        client_cls.execute_command = execute_command

        if version >= (5,):
            original_execute = redisish.Pipeline.execute

            @functools.wraps(original_execute)
            def execute(pipeline):
                count = len(pipeline.command_stack)
                current_hub().add_breadcrumb("pipeline", category="redis.pipeline",
                                             data={"commands": count})
                return original_execute(pipeline)
            redisish.Pipeline.execute = execute
