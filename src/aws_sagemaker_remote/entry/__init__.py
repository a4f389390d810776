"""What a job kind's `main` does once its flags are parsed: call `main` here (with `s3://`
inputs and outputs staged) or hand the job to the pipeline, behind the one error boundary."""
