"""Issue 17's acceptance, as a user runs scripts: the import pre-flight (emulator, and a dry run
against AWS offline), a job in the real scikit-learn image's environment (numpy at the image's
version, the image's Python or one line naming both, nothing of the caller's), the caller's
environment on request, an image of one's own with its packages declared."""

from __future__ import annotations

import json
import sys
import textwrap

from e2e_support import run_script
from helpers import probe_wheel

from aws_sagemaker_remote.images.packages import job_image_packages

PREAMBLE = "from aws_sagemaker_remote import sagemaker_processing_main\n"


def write(tmp_path, body: str, name: str = "job.py"):
    path = tmp_path / name
    path.write_text(PREAMBLE + textwrap.dedent(body))
    return path


REPORTING = """
import json, os, sys

def main(args):
    import numpy
    report = {"numpy": numpy.__version__, "executable": sys.executable, "path": sys.path,
              "version": list(sys.version_info[:2])}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "report.json"), "w") as f:
        json.dump(report, f)

sagemaker_processing_main(main=main, outputs={"out": "out"})
"""


def test_a_job_in_the_scikit_learn_image_s_environment(emulator_env, tmp_path):
    """The default image's real profile: numpy is there at the image's version; the job runs
    the image's Python (or one line names it and the one that ran); none of the caller's
    site-packages is on its path; the pre-flight has nothing to say."""
    script = write(tmp_path, REPORTING)
    out = tmp_path / "out"
    result = run_script(script, "--sagemaker-run", "yes", "--sagemaker-download", "yes",
                        "--out", out, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning: job.py imports" not in result.stderr
    report = json.loads((out / "report.json").read_text())
    image = job_image_packages(None, "ml.t3.medium")
    python = list(image.python)
    if report["version"] == python:
        assert report["numpy"] == image.packages["numpy"].split("==")[1]
    else:
        wanted = ".".join(map(str, python))
        line = [x for x in result.stdout.splitlines() if f"runs Python {wanted}, which" in x]
        assert len(line) == 1, result.stdout
    assert report["executable"] != sys.executable
    caller_sites = {p for p in sys.path if p.endswith("site-packages")}
    assert not caller_sites & set(report["path"])


CALLER_ONLY = """
def main(args):
    import tabulate
    print(tabulate.tabulate([[1, 2]]))

sagemaker_processing_main(main=main)
"""


def test_the_pre_flight_names_a_missing_import_before_anything_is_uploaded(
    emulator_env, tmp_path, s3_client, bucket
):
    script = write(tmp_path, CALLER_ONLY)
    refused = run_script(script, "--sagemaker-run", "yes", "--sagemaker-import-check", "error")
    assert refused.returncode == 2
    errors = [line for line in refused.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1
    assert "--sagemaker-import-check error: provided by neither the image" in errors[0]
    warned = "warning: job.py imports tabulate, which is not in the image sagemaker-scikit-learn:"
    assert warned in refused.stderr
    assert "staged" not in refused.stderr  # nothing was uploaded
    # warned, then run as on AWS: the job fails with ModuleNotFoundError and exit code 1
    failed = run_script(script, "--sagemaker-run", "yes", timeout=300)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "ModuleNotFoundError: No module named 'tabulate'" in failed.stdout + failed.stderr
    # the caller's environment, on request (unfaithful): it has tabulate
    callers = run_script(script, "--sagemaker-run", "yes", "--sagemaker-import-check", "off",
                         "--sagemaker-emulator-environment", "caller", timeout=300)  # fmt: skip
    assert callers.returncode == 0, callers.stdout + callers.stderr
    assert "warning: job.py imports" not in callers.stderr


def test_a_dry_run_against_aws_checks_imports_offline(tmp_path, monkeypatch):
    for name in ("AWS_ENDPOINT_URL_SAGEMAKER", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_S3",
                 "AWS_ENDPOINT_URL_IAM"):  # fmt: skip
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing answers there
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_HOME", str(tmp_path / "home"))
    script = write(tmp_path, CALLER_ONLY)
    offline = ["--sagemaker-run", "yes", "--sagemaker-dry-run", "yes",
               "--sagemaker-role", "arn:aws:iam::123456789012:role/r",
               "--sagemaker-bucket", "my-bucket", "--sagemaker-region", "eu-west-1",
               "--sagemaker-image", "sklearn:1.4-2"]  # fmt: skip
    result = run_script(script, *offline)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["request"]["AppSpecification"]["ImageUri"].endswith(
        "sagemaker-scikit-learn:1.4-2-cpu-py3"
    )
    assert result.stderr.splitlines()[0] == (
        "warning: job.py imports tabulate, which is not in the image "
        "sagemaker-scikit-learn:1.4-2-cpu-py3, and no requirements file is given "
        "(--sagemaker-requirements)"
    )
    (tmp_path / "requirements.txt").write_text("tabulate==0.9.0\n")
    quiet = run_script(script, *offline, "--sagemaker-requirements", tmp_path / "requirements.txt")
    assert quiet.returncode == 0
    assert "job.py imports" not in quiet.stderr
    off = run_script(script, *offline, "--sagemaker-import-check", "off")
    assert "job.py imports" not in off.stderr


OWN_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-image:1"
PROBE = """
def main(args):
    import asr_emulator_probe_pkg
    print("probe says", asr_emulator_probe_pkg.VALUE)

sagemaker_processing_main(main=main)
"""


def test_an_image_of_one_s_own_with_its_packages_declared(emulator_env, tmp_path):
    script = write(tmp_path, PROBE)
    unknown = run_script(script, "--sagemaker-run", "yes", "--sagemaker-image", OWN_IMAGE,
                         "--sagemaker-dry-run", "yes")  # fmt: skip
    assert unknown.returncode == 0, unknown.stderr
    assert "the image my-image:1 has no profile" in unknown.stderr
    # run: one line about the unknown packages in all the user sees; the job fails as on AWS
    # (its image may well have the module, but nothing said so)
    run = run_script(script, "--sagemaker-run", "yes", "--sagemaker-image", OWN_IMAGE,
                     timeout=300)  # fmt: skip
    said = (run.stdout + run.stderr).splitlines()
    assert len([line for line in said if "has no profile" in line]) == 1, said
    assert run.returncode == 1
    assert "No module named 'asr_emulator_probe_pkg'" in run.stdout + run.stderr
    wheel = probe_wheel(tmp_path, value="from my image")
    declared = tmp_path / "image-packages.txt"
    declared.write_text(f"asr_emulator_probe_pkg @ {wheel.as_uri()}\n")
    result = run_script(script, "--sagemaker-run", "yes", "--sagemaker-image", OWN_IMAGE,
                        "--sagemaker-image-packages", declared, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no profile" not in result.stderr + result.stdout
    assert "probe says from my image" in result.stdout
    missing = run_script(script, "--sagemaker-run", "yes", "--sagemaker-image-packages",
                         tmp_path / "nope.txt")  # fmt: skip
    assert missing.returncode == 2
    assert "--sagemaker-image-packages" in missing.stderr


def test_a_local_run_is_not_checked(tmp_path):
    """A local run never reads its imports (the check is for remote runs only)."""
    script = write(tmp_path, CALLER_ONLY)
    result = run_script(script, "--sagemaker-import-check", "error")
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
