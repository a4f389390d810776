"""Status lines among the log lines in the order of their times, both while a job is followed
and in `training logs NAME` afterwards (issue 21, point 2), through the emulator."""

from __future__ import annotations

from e2e_support import EXAMPLES, run_cli, run_script


def in_order(text: str, *fragments: str) -> None:
    places = [text.index(fragment) for fragment in fragments]
    assert places == sorted(places), text


def test_statuses_come_between_the_log_lines_they_separate(emulator_env, tmp_path):
    followed = run_script(
        EXAMPLES / "train_classifier" / "train.py", "--sagemaker-run", "yes",
        "--sagemaker-job-name", "ordered", "--epochs", "3", "--model-dir", str(tmp_path / "m"),
        "--output-dir", str(tmp_path / "o"), "--checkpoint-dir", str(tmp_path / "c"),
    )  # fmt: skip
    assert followed.returncode == 0, followed.stderr
    logs = run_cli("training", "logs", "ordered")
    assert logs.returncode == 0, logs.stderr
    for text in (followed.stdout, logs.stdout):
        in_order(
            text,
            "Status  Downloading",
            "[local emulator] downloading channel train",
            "Status  Training",
            "epoch 1:",
            "epoch 3:",
            "test_accuracy=",
            "Status  Uploading",
            "Status  Completed",
        )
