"""The learning store: every unresolved moment of a conversation, redacted, for product owners to mine.

Rasa's event broker (:mod:`engine.event_broker`) forwards event summaries (raw text) to a Redis stream; the
consumer (:mod:`learning.consumer`) redacts them and turns them into records (:mod:`learning.records`) in an
append-only stream with the indexes mining needs (:mod:`learning.store`). See ``docs/learning-store.md``.
"""
