"""Redis access shared by every process."""
