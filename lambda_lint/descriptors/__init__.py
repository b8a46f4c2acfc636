"""Deployment descriptor readers (placeholder until the readers are wired in)."""

from __future__ import annotations

from pathlib import Path

import libcst

from lambda_lint.descriptors.model import DescriptorSet


def descriptor_kind(path: Path) -> str | None:
    return None


def read_descriptor(path: Path, text: str) -> DescriptorSet:
    return DescriptorSet()


def read_cdk(path: Path, module: libcst.Module) -> DescriptorSet:
    return DescriptorSet()
