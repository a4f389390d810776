"""The emulator's runner side: the detached process that runs one job (`job.py`, started as
`python -m` of this package by the caller side), and each kind's life in it (`life.py`,
`processing.py`, `training/`). It never imports the caller side (`../caller/`)."""
