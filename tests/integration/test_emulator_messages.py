"""FailureReason and ExitMessage in the emulator, as SageMaker Processing sets them (issue 8
point 3). Sources: SageMaker Developer Guide "Save and Access Metadata Information About Your
Processing Job" (byoc-metadata.html) for /opt/ml/output/message; the generic FailureReason of a
non-zero exit from aws/sagemaker-spark-container test_sagemaker_spark_errors.py."""

from __future__ import annotations

from emulator_support import instance_path, submit, submit_with_bootstrap, wait, wait_for_file

from aws_sagemaker_remote.kinds import PROCESSING
from aws_sagemaker_remote.kinds.processing import ALGORITHM_ERROR

MESSAGE = "/opt/ml/output/message"
WRITE_MESSAGE = """
import os, sys
text = os.environ.get("MESSAGE", "") + os.environ.get("SM_CURRENT_HOST", "")
with open(sys.argv[1], "wb") as stream:
    stream.write(eval(os.environ["MESSAGE_BYTES"]) if "MESSAGE_BYTES" in os.environ
                 else text.encode("utf-8"))
sys.exit(int(os.environ.get("EXIT_CODE", "0")))
"""


def message_job(backend, s3_client, bucket, name, **env):
    """The script gets the message file's container path as an argument (the emulator maps it)."""
    submit_with_bootstrap(
        backend, s3_client, bucket, name, WRITE_MESSAGE, env=env, arguments=[MESSAGE]
    )
    return wait(backend, name)


def test_completed_job_publishes_its_message(backend, s3_client, bucket):
    description = message_job(backend, s3_client, bucket, "says-done", MESSAGE="42 rows on ")
    assert description["ProcessingJobStatus"] == "Completed"
    assert description["ExitMessage"] == "42 rows on algo-1"
    assert "FailureReason" not in description


def test_uncaught_exception_is_the_exit_message(backend, s3_client, bucket):
    script = "def load():\n    raise FileNotFoundError('no such table: users')\nload()\n"
    submit_with_bootstrap(backend, s3_client, bucket, "raises", script)
    description = wait(backend, "raises")
    assert description["ProcessingJobStatus"] == "Failed"
    assert description["FailureReason"] == ALGORITHM_ERROR
    assert description["ExitMessage"] == "FileNotFoundError: no such table: users"


def test_messages_of_all_instances_are_concatenated_then_cut_to_1_kib(backend, s3_client, bucket):
    submit_with_bootstrap(
        backend,
        s3_client,
        bucket,
        "two-hosts",
        WRITE_MESSAGE,
        count=2,
        env={"MESSAGE": "x" * 700 + "|"},
        arguments=[MESSAGE],
    )
    description = wait(backend, "two-hosts")
    message = description["ExitMessage"]
    assert len(message.encode("utf-8")) == 1024
    assert message == ("x" * 700 + "|algo-1" + "x" * 700)[:1024]


def test_message_that_is_not_utf8_fails_the_job_with_a_client_error(backend, s3_client, bucket):
    description = message_job(
        backend, s3_client, bucket, "latin-1", MESSAGE_BYTES="'caf\\xe9'.encode('latin-1')"
    )
    assert description["ProcessingJobStatus"] == "Failed"
    assert description["FailureReason"].startswith("ClientError: ")
    assert "UTF-8" in description["FailureReason"]


def test_stopped_job_publishes_its_message(backend, s3_client, bucket):
    script = """
    import os, sys, time
    open(sys.argv[1] + ".tmp", "w").write("half done")
    os.replace(sys.argv[1] + ".tmp", sys.argv[1])  # whole, when the test sees it
    while True:
        time.sleep(0.05)
    """
    submit(backend, s3_client, bucket, "stopped", script, arguments=[MESSAGE])
    wait_for_file(backend, "stopped", instance_path(backend, "stopped", MESSAGE))
    backend.stop_job(PROCESSING, "stopped")
    description = wait(backend, "stopped")
    assert description["ProcessingJobStatus"] == "Stopped"
    assert description["ExitMessage"] == "half done"
    assert "FailureReason" not in description


def test_an_exit_message_is_the_exit_message(backend, s3_client, bucket):
    """sys.exit("message") (Python prints it and exits 1) fails the job with that message as
    ExitMessage, as an exception's text is (issue 18 point 6)."""
    submit_with_bootstrap(
        backend, s3_client, bucket, "exits", "raise SystemExit('no input rows')\n"
    )
    description = wait(backend, "exits")
    assert description["ProcessingJobStatus"] == "Failed"
    assert description["ExitMessage"] == "no input rows"
