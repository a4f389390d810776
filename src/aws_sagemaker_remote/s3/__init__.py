"""S3 on the user's side: URIs, content digests, staging and transfers, progress."""
