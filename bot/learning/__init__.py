"""The learning store: every unresolved moment of a conversation, redacted, for product owners to mine.

Rasa's event broker (:mod:`bot.learning.broker`) forwards redacted event summaries to a Redis stream; the
consumer (:mod:`bot.learning.consumer`) turns them into records (:mod:`bot.learning.records`) in an
append-only stream with the indexes mining needs (:mod:`bot.learning.store`). See ``docs/learning-store.md``.
"""
