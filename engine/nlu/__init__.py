"""Rasa NLU components of the triage bot, named in config.yml by their import path."""
