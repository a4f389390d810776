"""Local mode against a real S3 server (SeaweedFS): s3:// inputs and outputs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent(
    """
    import os, sys
    from aws_sagemaker_remote import sagemaker_processing_main

    def main(args):
        out = args.output
        os.makedirs(out, exist_ok=True)
        if os.path.isdir(args.input):
            names = sorted(
                os.path.relpath(os.path.join(d, f), args.input)
                for d, _, fs in os.walk(args.input) for f in fs
            )
            data = b"".join(open(os.path.join(args.input, n), "rb").read() for n in names)
        else:
            names, data = [os.path.basename(args.input)], open(args.input, "rb").read()
        with open(os.path.join(out, "result.bin"), "wb") as f:
            f.write(data[::-1])
        with open(os.path.join(out, "names.txt"), "w") as f:
            f.write("\\n".join(names))
        os.makedirs(os.path.join(out, "nested"), exist_ok=True)
        open(os.path.join(out, "nested", "n.txt"), "w").write(args.input)
        if os.environ.get("FAIL_MAIN"):
            raise RuntimeError("main failed on purpose")
        print("BOTO3_LOADED" if "boto3" in sys.modules else "NO_BOTO3")

    if __name__ == "__main__":
        sagemaker_processing_main(main=main, inputs={"input": "in"}, outputs={"output": "out"})
    """
)


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "job.py"
    path.write_text(SCRIPT)
    return path


def run(script: Path, *argv: str, env: dict, extra_env: dict | None = None):
    full_env = {
        **os.environ,
        **env,
        **(extra_env or {}),
        "XDG_CACHE_HOME": str(script.parent / "cache"),
    }
    return subprocess.run(
        [sys.executable, str(script), *argv],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=script.parent,
    )


def test_s3_prefix_input_and_s3_output(script, aws_env, s3_client, bucket):
    s3_client.put_object(Bucket=bucket, Key="data/a.bin", Body=b"\x00\x01abc")
    s3_client.put_object(Bucket=bucket, Key="data/sub/b.bin", Body=b"xyz")
    result = run(
        script, "--input", f"s3://{bucket}/data/", "--output", f"s3://{bucket}/results/run1",
        env=aws_env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "BOTO3_LOADED" in result.stdout
    body = s3_client.get_object(Bucket=bucket, Key="results/run1/result.bin")["Body"].read()
    assert body == (b"\x00\x01abc" + b"xyz")[::-1]
    names = s3_client.get_object(Bucket=bucket, Key="results/run1/names.txt")["Body"].read()
    assert names.decode().split("\n") == ["a.bin", "sub/b.bin"]
    nested = s3_client.get_object(Bucket=bucket, Key="results/run1/nested/n.txt")["Body"].read()
    assert Path(nested.decode()).is_relative_to(
        Path(aws_env["AWS_SAGEMAKER_REMOTE_HOME"]) / "cache"
    )


def test_single_object_input_points_at_the_file(script, aws_env, s3_client, bucket):
    s3_client.put_object(Bucket=bucket, Key="one/file.csv", Body=b"a,b\n1,2\n")
    out = script.parent / "local-out"
    result = run(
        script, "--input", f"s3://{bucket}/one/file.csv", "--output", str(out), env=aws_env
    )
    assert result.returncode == 0, result.stderr
    assert (out / "result.bin").read_bytes() == b"a,b\n1,2\n"[::-1]
    assert (out / "names.txt").read_text() == "file.csv"


def test_failing_main_uploads_nothing(script, aws_env, s3_client, bucket):
    s3_client.put_object(Bucket=bucket, Key="data/a.bin", Body=b"abc")
    result = run(
        script, "--input", f"s3://{bucket}/data/", "--output", f"s3://{bucket}/results/failed",
        env=aws_env, extra_env={"FAIL_MAIN": "1"},
    )  # fmt: skip
    assert result.returncode != 0
    assert "main failed on purpose" in result.stderr
    listed = s3_client.list_objects_v2(Bucket=bucket, Prefix="results/")
    assert listed.get("KeyCount", 0) == 0


def test_missing_s3_input_is_one_line_exit_2(script, aws_env, bucket):
    result = run(script, "--input", f"s3://{bucket}/nothing/here", "--output", "o", env=aws_env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "--input" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_credentials_for_an_s3_input_is_one_line_naming_the_flag(script, aws_env, tmp_path):
    env = {
        k: v for k, v in aws_env.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    }
    result = run(
        script, "--input", "s3://some-bucket/data/", "--output", "o",
        env={**env, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""},
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "--input" in result.stderr
    assert "s3://some-bucket/data/" in result.stderr
    assert "no usable AWS credentials" in result.stderr
    assert not (tmp_path / "o").exists()


def test_local_paths_load_no_aws_modules(script, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.txt").write_bytes(b"local")
    result = run(script, env={})
    assert result.returncode == 0, result.stderr
    assert "NO_BOTO3" in result.stdout
    assert (tmp_path / "out" / "result.bin").read_bytes() == b"lacol"


def test_import_and_local_run_load_no_third_party_modules(tmp_path):
    code = textwrap.dedent(
        """
        import sys
        before = set(sys.modules)
        import aws_sagemaker_remote.processing.main as m
        sys.argv = ["x", "--n", "3"]
        m.sagemaker_processing_main(
            main=lambda args: None,
            additional_arguments=[{"dest": "--n", "type": int}],
        )
        import sysconfig
        stdlib = sysconfig.get_paths()["stdlib"]
        third = sorted(
            name for name, mod in sys.modules.items()
            if name not in before and getattr(mod, "__file__", None)
            and not mod.__file__.startswith(stdlib) and not name.startswith("aws_sagemaker_remote")
        )
        assert not third, third
        assert not [m for m in ("boto3", "botocore", "s3transfer") if m in sys.modules]
        print("clean")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "clean"


# What a local run of each kind loads of ours (docs/architecture.md "Lazy imports"): a module
# added here costs every local run about 0.1 ms (benchmarks/startup.py).
LOCAL_PATH = {"", ".args", ".configuration", ".contract", ".entry", ".errors", ".flags",
              ".flags.builder", ".flags.groups", ".kinds", ".paths"}  # fmt: skip


@pytest.mark.parametrize("kind", ["processing", "training"])
def test_a_local_run_loads_its_own_modules_and_no_more(tmp_path, kind):
    script = tmp_path / "job.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            from aws_sagemaker_remote import sagemaker_{kind}_main

            def main(args):
                print(sorted(m for m in sys.modules if m.startswith("aws_sagemaker_remote")))

            sagemaker_{kind}_main(main=main, inputs={{"data": "data"}})
            """
        )
    )
    (tmp_path / "data").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_SAGEMAKER_REMOTE_")}
    env["HOME"] = str(tmp_path / "home")  # no variable of ours: with one, settings.py is read
    env.pop("XDG_CONFIG_HOME", None)
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert result.returncode == 0, result.stderr
    own = {f".{kind}", f".{kind}.main", f".kinds.{kind}"}
    expected = sorted("aws_sagemaker_remote" + name for name in {*LOCAL_PATH, *own})
    assert result.stdout.strip() == repr(expected)


def test_two_inputs_under_one_prefix_do_not_collide(tmp_path, aws_env, s3_client, bucket):
    s3_client.put_object(Bucket=bucket, Key="data/test.csv", Body=b"t")
    s3_client.put_object(Bucket=bucket, Key="data/train.csv", Body=b"tr")
    script = tmp_path / "two.py"
    script.write_text(
        textwrap.dedent(
            """
            import os
            from aws_sagemaker_remote import sagemaker_processing_main

            def main(args):
                print(sorted(os.listdir(args.train)), open(args.test).read())

            sagemaker_processing_main(main=main, inputs={"train": "a", "test": "b"})
            """
        )
    )
    result = run(script, "--train", f"s3://{bucket}/data", "--test", f"s3://{bucket}/data/test.csv",
                 env=aws_env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['test.csv', 'train.csv'] t"
    inputs_cache = Path(aws_env["AWS_SAGEMAKER_REMOTE_HOME"]) / "cache" / "inputs"
    assert list(inputs_cache.iterdir()) == []


def test_bad_output_uri_is_refused_before_main(script, aws_env):
    result = run(script, "--input", "in", "--output", "s3://", env=aws_env)
    assert result.returncode == 2
    assert "--output" in result.stderr
    assert result.stderr.count("\n") == 1
    assert "BOTO3" not in result.stdout
