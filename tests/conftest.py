pytest_plugins = ["tests.fixtures.product", "tests.fixtures.redis_server", "tests.fixtures.simulator"]
collect_ignore = ["engine"]
