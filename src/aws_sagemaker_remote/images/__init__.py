"""Container images by name: the official SDK's framework image table (``table``), choosing
an image for an instance type (``resolve``), GPUs per instance type (``instances``).

Nothing here is imported on the local path: a job resolves its image, a local run never does.
"""
