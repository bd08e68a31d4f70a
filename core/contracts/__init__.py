"""Typed contracts that cross a process boundary (actions -> Rasa -> gateway, gateway -> consoles, engine -> learning).

No web or Rasa framework is imported here, so the action server, the gateway and the tools all read and write the
same shapes: pydantic models for the app's processes, and one standard-library module
(:mod:`core.contracts.learning_events`) that the engine, on its own Python, imports too. Every payload is versioned
(``v``) and ignores fields it does not know, so a newer writer never breaks an older reader.
"""
