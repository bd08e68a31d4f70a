"""Outage notifications: customers subscribe to an alarm in the chat, the notifier tells them when it clears.

``subscriptions`` keeps who asked (Redis, keyed by the alarm), ``hub`` keeps the notifier registered on the
TMF642 event hub, ``notifier`` turns a cleared alarm into messages, sent by the ``chat``, ``sms`` and ``email``
adapters; ``smtp_sink`` is the development mail server. See docs/notifications.md.
"""
