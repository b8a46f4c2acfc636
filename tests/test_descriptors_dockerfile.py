"""Dockerfiles of Lambda container images: the CMD handler and the copied code folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambda_lint.descriptors import read_descriptor

DATA = Path(__file__).parent / "data" / "descriptors" / "docker"


def read_one(path: Path, text: str | None = None):
    result = read_descriptor(path, path.read_text() if text is None else text)
    assert result.problems == []
    (function,) = result.functions
    return function


def test_multi_stage_image_with_continued_cmd() -> None:
    dockerfile = DATA / "worker" / "Dockerfile"
    function = read_one(dockerfile)
    assert function.handler == "invoices.worker.handler"
    assert function.package_type == "Image"
    assert function.runtime == "python3.12"
    assert function.code_root == DATA / "worker" / "app"
    assert function.source.kind == "dockerfile"
    lines = dockerfile.read_text().splitlines()
    assert function.source.line == lines.index('  "invoices.worker.handler" \\') + 1


def test_runtime_interface_client_uses_the_working_folder() -> None:
    function = read_one(DATA / "Dockerfile.api")
    assert function.handler == "api.main.handler"
    assert function.code_root == DATA / "src"
    assert function.runtime is None
    assert function.source.line == 6


def test_images_that_are_not_lambda_functions_declare_nothing() -> None:
    web = DATA / "web.Dockerfile"
    assert read_descriptor(web, web.read_text()).functions == []


@pytest.mark.parametrize(
    ("body", "handler", "root"),
    [
        ('COPY app.py ${LAMBDA_TASK_ROOT}\nCMD [ "app.handler" ]\n', "app.handler", "."),
        ("COPY src/app ${LAMBDA_TASK_ROOT}/app\nCMD app.main.handler\n", "app.main.handler", "src"),
        ('COPY . .\nCMD ["main.handler"]\n', "main.handler", "."),
        ('COPY a/ ${LAMBDA_TASK_ROOT}\nCOPY b/ /var/task\nCMD ["x.h"]\n', "x.h", "."),
        ('COPY ./code/ /var/task/\nCMD ["${HANDLER}"]\n', None, "code"),
    ],
)
def test_code_root_from_copy(tmp_path: Path, body: str, handler: str | None, root: str) -> None:
    dockerfile = tmp_path / "Dockerfile"
    text = "FROM public.ecr.aws/lambda/python:3.11\n" + body
    function = read_one(dockerfile, text)
    assert function.handler == handler
    assert function.code_root == (tmp_path / root if root != "." else tmp_path)
    assert function.runtime == "python3.11"


def test_lambda_base_image_without_cmd_declares_nothing(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    text = "FROM public.ecr.aws/lambda/python:3.12\nCOPY . ${LAMBDA_TASK_ROOT}\n"
    assert read_descriptor(dockerfile, text).functions == []


def test_build_container_from_a_lambda_image_declares_nothing(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    text = (
        "FROM public.ecr.aws/lambda/python:3.12\nCMD bash\nWORKDIR /site-packages\n"
        "RUN pip install -t . jwcrypto==1.5.6\n"
    )
    assert read_descriptor(dockerfile, text).functions == []
    # with the function's code copied in, the same command is a handler that cannot load
    copied = text.replace("CMD bash\n", "COPY app.py ${LAMBDA_TASK_ROOT}\nCMD bash\n")
    assert read_one(dockerfile, copied).handler == "bash"
