"""Fill a fresh installation with realistic traffic: ``python -m bot.insights replay``."""
