"""Fill a fresh installation with realistic traffic: ``python -m tools.insights replay``."""
