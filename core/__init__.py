"""What the processes share: settings, contracts, the OSS/BSS client, Redis access. No web or Rasa framework."""
