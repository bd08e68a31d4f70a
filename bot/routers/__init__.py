"""Every HTTP and WebSocket route of the gateway, one module per audience; what they depend on is in
:mod:`bot.dependencies`, and how a domain error becomes an answer in :mod:`bot.errors`.

- customers: ``messages`` (``/api/messages``), ``satisfaction``, ``web`` (the chat page and its files)
- staff login: ``auth`` (``/api/auth/*``, ``/login``, ``/logout``)
- agents: ``agent`` (``/api/agent/*``, with ``agent_bodies``, ``agent_canned``, ``agent_lookup``), ``agent_ws``
  (the console's live channel), ``console_page``
- supervisors: ``supervision`` (``/supervisor``, ``/api/supervisor/*``)
- product owners: ``insights`` (the API and the dashboard's pages, ``insights_*``)
- operators: ``health`` (``/healthz``, ``/readyz``)
"""
