"""Code that runs inside the Rasa 3.6 process (engine venv, Python 3.10): NLU component, lock store, event broker."""
