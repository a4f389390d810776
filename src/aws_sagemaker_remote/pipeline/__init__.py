"""The remote run, one module per stage, shared by every job kind:
spec -> validate -> resolve -> plan -> provision -> stage -> create -> follow (see `submit`).

What a kind does of its own is in its pipeline module (`processing.py`, `training/`), found by
`kinds.home`. Each has these hooks:
- `extras(config, args, argv, parser, own_argv)`: what only the kind's JobSpec has (`extras`);
- `check(spec)`: its own checks, after the shared ones (validate.py);
- `chosen_places(spec)`: (flag, S3 URI) the user chose the job writes to besides its outputs;
- `with_references(spec, backend)`: its own `job:` references made S3 URIs (resolve.py);
- `with_locations(spec, base, job_name)`: its own default S3 places made URIs (resolve.py);
- `hyperparameters_of(spec)`: the user's options as HyperParameters, or None;
- `request(spec, resolved, layout, staged, arguments, job_file)`: its Create*Job request, from
  the shared parts (parts.py);
- `download_folders(spec)`: output name -> (flag dest, local folder) of --sagemaker-download.
"""
