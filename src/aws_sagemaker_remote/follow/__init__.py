"""Following a created job: status, logs, Ctrl-C, the summary, outputs."""
