"""The deployment descriptions in ``deploy/`` say what runs and how; no Docker or Kubernetes runs here, so these
checks are what can be checked without them: every file parses, every container of the product runs one of
the ``Procfile`` processes through an entry point that exists, every ``TRIAGE_*`` variable is a setting the
product knows (it refuses unknown ones at start), and every stateless process has two replicas or more.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import PROJECT_ROOT, Settings

DEPLOY = PROJECT_ROOT / "deploy"
IMAGE = "telecom-triage-bot"
KNOWN_SETTINGS = {f"TRIAGE_{name.upper()}" for name in Settings.__fields__}
SCALED = {"rasa", "actions", "gateway"}


def procfile_programs() -> dict[str, tuple[str, ...]]:
    """Process name -> the program and its entry point, e.g. ``("python", "-m", "bot")`` or ``("rasa", "run")``."""
    programs = {}
    for line in (PROJECT_ROOT / "Procfile").read_text().splitlines():
        if ":" in line and not line.startswith("#"):
            name, command = line.split(":", 1)
            words = shlex.split(command.strip().removeprefix("exec "))
            programs[name] = tuple(words[:3]) if words[0] == "python" else tuple(words[:2])
    return programs


def process_of(command: list[str] | str) -> str:
    """Which Procfile process a container command runs (its module must be importable)."""
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if words[:2] == ["sh", "-c"]:
        words = shlex.split(words[2].removeprefix("exec "))
    for name, program in procfile_programs().items():
        if tuple(words[: len(program)]) == program:
            if program[0] == "python":
                assert importlib.util.find_spec(program[2]) is not None, f"no module {program[2]}"
            return name
    raise AssertionError(f"{words} runs none of the Procfile's processes {procfile_programs()}")


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def test_compose_runs_procfile_processes_with_two_replicas_behind_the_balancer() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    replicas: dict[str, int] = {}
    for name, service in services.items():
        if service.get("image") != IMAGE:
            continue
        process = process_of(service["command"])
        replicas[process] = replicas.get(process, 0) + 1
        unknown = {k for k in service["environment"] if k.startswith("TRIAGE_")} - KNOWN_SETTINGS
        assert not unknown, f"{name}: the product refuses to start with {unknown}"
    assert all(replicas.get(p, 0) >= 2 for p in SCALED), replicas
    assert replicas.get("simulator") == 1 and replicas.get("learning") == 1
    assert "appendonly yes" in services["redis"]["command"]

    nginx = (DEPLOY / "nginx.conf").read_text()
    upstreams = set(re.findall(r"server ([a-z0-9-]+):\d+;", nginx))
    assert upstreams == {n for n, s in services.items() if s.get("image") == IMAGE} - {"simulator", "learning"}
    assert "ip_hash" in nginx  # socket.io long-polling sessions live in one gateway process
    assert "/app/models/current.tar.gz" in (DEPLOY / "Dockerfile").read_text()


def k8s_manifests() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())
    return [doc for resource in kustomization["resources"] for doc in documents(DEPLOY / "k8s" / resource)]


def test_kubernetes_manifests_run_procfile_processes_on_redis_sentinel() -> None:
    manifests = k8s_manifests()
    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for doc in manifests:
        assert {"apiVersion", "kind", "metadata"} <= doc.keys(), doc
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc

    settings = by_kind["ConfigMap"]["triage-settings"]["data"]
    secret_keys = by_kind["Secret"]["triage-secrets-example"]["stringData"].keys()
    unknown = {k for k in [*settings, *secret_keys] if k.startswith("TRIAGE_")} - KNOWN_SETTINGS
    assert not unknown, f"the product refuses to start with {unknown}"

    for name, deployment in by_kind["Deployment"].items():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            if container["image"] != IMAGE:
                continue
            assert process_of(container["command"]) == name
            if name in SCALED:
                assert deployment["spec"]["replicas"] >= 2, name
                assert name in by_kind["Service"], f"{name} has no Service to balance over its replicas"

    redis = by_kind["StatefulSet"]["redis"]["spec"]
    assert redis["replicas"] >= 3 and {c["name"] for c in redis["template"]["spec"]["containers"]} == {
        "redis",
        "sentinel",
    }
    assert "role:master" in by_kind["ConfigMap"]["redis-haproxy"]["data"]["haproxy.cfg"]
    assert settings["RASA_STORE_HOST"] == "redis" and "redis" in by_kind["Service"]


@pytest.mark.parametrize("path", sorted(p.relative_to(DEPLOY) for p in DEPLOY.rglob("*.yaml")), ids=str)
def test_every_deployment_file_is_valid_yaml(path: Path) -> None:
    assert documents(DEPLOY / path)
