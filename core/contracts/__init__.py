"""Typed contracts that cross a process boundary (actions -> Rasa -> gateway, gateway -> consoles).

Pydantic models only: no web or Rasa framework is imported here, so the action server, the gateway and the tools
all read and write the same shapes. Every payload is versioned (``v``) and ignores fields it does not know, so a
newer writer never breaks an older reader.
"""
