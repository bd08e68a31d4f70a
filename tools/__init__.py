"""Command-line tools: the runner of `make run`, training, traffic replay, accounts, insights exports."""
