"""CreateTrainingJob's own check of its channels: AWS refuses the request at once when a
channel's S3 prefix holds no object, with a ValidationException whose text users search for
(seen in public reports of the error, e.g. "No S3 objects found under S3 URL "s3://kedro-data"
given in input data source. Please ensure that the bucket exists in the selected region
(us-east-1), that objects exist under that S3 prefix, and that the role "arn:..." has
"s3:ListBucket" permissions on bucket "kedro-data".").
"""

from __future__ import annotations

from typing import Any, Dict

from ...errors import aws_error_code
from ...kinds.training import TRAINING
from ...s3.uri import parse as parse_s3_uri
from .awserror import validation_error
from .kinds import emulated

UNLISTABLE = ("NoSuchBucket", "AccessDenied", "AllAccessDisabled")


def check_channels_have_data(s3_client, request: Dict[str, Any], region: str) -> None:
    for channel in emulated(TRAINING).channels(request):
        location = parse_s3_uri(channel.uri)
        try:
            found = s3_client.list_objects_v2(
                Bucket=location.bucket, Prefix=location.key, MaxKeys=1
            ).get("KeyCount", 0)
        except Exception as error:
            if aws_error_code(error) not in UNLISTABLE:
                raise
            found = 0  # no bucket, or no right to list it: AWS says the same
        if not found:
            raise validation_error(
                "CreateTrainingJob",
                f'No S3 objects found under S3 URL "{channel.uri}" given in input data source. '
                f"Please ensure that the bucket exists in the selected region ({region}), that "
                f'objects exist under that S3 prefix, and that the role "{request["RoleArn"]}" '
                f'has "s3:ListBucket" permissions on bucket "{location.bucket}".',
            )
