"""What runs inside the container: the stdlib-only bootstrap (Python 3.7+)."""
