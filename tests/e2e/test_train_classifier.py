"""examples/train_classifier: trained here and as an emulated training job, the same model,
summary and accuracy; the job reports its metrics, hyperparameters and archives as AWS does."""

from __future__ import annotations

import io
import json
import tarfile

from e2e_support import EXAMPLES, run_cli, run_script, tree_bytes

SCRIPT = EXAMPLES / "train_classifier" / "train.py"


def run(root, *extra):
    folders = {"--model-dir": "model", "--output-dir": "output", "--checkpoint-dir": "checkpoints"}
    argv = [token for flag, name in folders.items() for token in (flag, root / name)]
    return run_script(SCRIPT, "--epochs", "12", "--learning-rate", "0.3", *argv, *extra)


def archive_files(s3_client, uri):
    bucket, _, key = uri[len("s3://") :].partition("/")
    body = s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body)) as tar:
        return {m.name.lstrip("./"): tar.extractfile(m).read() for m in tar if m.isfile()}


def test_the_job_trains_the_same_model_as_a_local_run(emulator_env, tmp_path, s3_client):
    here = run(tmp_path / "local")
    assert here.returncode == 0, here.stderr
    local_score = here.stdout.strip().splitlines()[-1]
    assert local_score.startswith("test_accuracy=")

    described_file = tmp_path / "job.json"
    job = run(tmp_path / "remote", "--sagemaker-run", "yes", "--sagemaker-download", "yes",
              "--sagemaker-output-json", described_file)  # fmt: skip
    assert job.returncode == 0, job.stdout + job.stderr
    described = json.loads(described_file.read_text())
    assert described["TrainingJobStatus"] == "Completed"
    assert described["HyperParameters"] == {"epochs": "12", "learning-rate": "0.3"}
    for name in ("model", "output"):
        assert tree_bytes(tmp_path / "remote" / name) == tree_bytes(tmp_path / "local" / name)
    assert tree_bytes(tmp_path / "remote" / "model") != {}
    final = {m["MetricName"]: m["Value"] for m in described["FinalMetricDataList"]}
    assert f"test_accuracy={final['test_accuracy']:.4f}" == local_score
    model = archive_files(s3_client, described["ModelArtifacts"]["S3ModelArtifacts"])
    assert model == tree_bytes(tmp_path / "local" / "model")
    text = job.stdout
    assert local_score in text
    assert f"Metric  test_accuracy = {final['test_accuracy']:g}" in text
    for status in ("Starting", "Downloading", "Training", "Uploading", "Completed"):
        assert f"Status  {status}" in text
    checkpoints = described["CheckpointConfig"]["S3Uri"]
    assert described["TrainingJobName"] in checkpoints


def test_rerun_repeats_a_training_job_or_replaces_its_arguments(emulator_env, tmp_path):
    first = tmp_path / "first.json"
    job = run(tmp_path / "job", "--sagemaker-run", "yes", "--sagemaker-output-json", first)
    assert job.returncode == 0, job.stdout + job.stderr
    name = json.loads(first.read_text())["TrainingJobName"]

    again = tmp_path / "again.json"
    rerun = run_cli("training", "rerun", name, "--output-json", again)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    repeated = json.loads(again.read_text())
    assert repeated["HyperParameters"] == {"epochs": "12", "learning-rate": "0.3"}
    assert repeated["TrainingJobName"] in repeated["CheckpointConfig"]["S3Uri"]

    changed = tmp_path / "changed.json"
    rerun = run_cli("training", "rerun", name, "--output-json", changed,
                    "--", "--epochs", "2", "--learning-rate=0.1")  # fmt: skip
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    described = json.loads(changed.read_text())
    assert "HyperParameters" not in described
    assert described["AlgorithmSpecification"]["ContainerArguments"][:3] == [
        "--epochs", "2", "--learning-rate=0.1",
    ]  # fmt: skip
    assert "epoch 2:" in rerun.stdout
    assert "epoch 3:" not in rerun.stdout


def test_a_processing_job_reads_the_trained_model_by_job_reference(emulator_env, tmp_path):
    trained = run(
        tmp_path / "job", "--sagemaker-run", "yes", "--sagemaker-job-name", "clf-1",
        "--sagemaker-download", "yes",
    )  # fmt: skip
    assert trained.returncode == 0, trained.stdout + trained.stderr
    script = tmp_path / "evaluate.py"
    script.write_text(
        "import os, tarfile\n"
        "from aws_sagemaker_remote import sagemaker_processing_main\n\n"
        "def main(args):\n"
        "    with tarfile.open(args.model) as tar:\n"
        "        names = sorted(m.name.lstrip('./') for m in tar if m.isfile())\n"
        "    os.makedirs(args.report, exist_ok=True)\n"
        "    with open(os.path.join(args.report, 'names.txt'), 'w') as f:\n"
        "        f.write(' '.join(names))\n\n"
        "sagemaker_processing_main(main=main, inputs={'model': 'model.tar.gz'},\n"
        "                          outputs={'report': 'report'})\n"
    )
    evaluated = run_script(
        script, "--sagemaker-run", "yes", "--model", "job:clf-1/model",
        "--sagemaker-download", "yes", "--report", tmp_path / "report",
    )  # fmt: skip
    assert evaluated.returncode == 0, evaluated.stdout + evaluated.stderr
    names = (tmp_path / "report" / "names.txt").read_text().split()
    assert names == sorted(tree_bytes(tmp_path / "job" / "model"))
    assert names != []
