"""The deployment descriptions in ``deploy/`` say what runs and how; no Docker or Kubernetes runs here, so these
checks are what can be checked without them: every file parses, every container of the product runs one of
the ``Procfile`` processes through an entry point that exists, Rasa from the engine image and every other process
from the app image (which installs neither Rasa nor TensorFlow), every ``TRIAGE_*`` variable is a setting the
product knows (it refuses unknown ones at start), every stateless process has two replicas or more, Rasa is
given only the variables it reads, and the build context leaves the host's venvs and models out.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.settings import PROJECT_ROOT, Settings

DEPLOY = PROJECT_ROOT / "deploy"
ENGINE_IMAGE = "telecom-triage-engine"
APP_IMAGE = "telecom-triage-app"
IMAGES = {ENGINE_IMAGE, APP_IMAGE}
KNOWN_SETTINGS = {f"TRIAGE_{name.upper()}" for name in Settings.model_fields}
SCALED = {"rasa", "actions", "gateway"}
RASA_VARIABLES = {"RASA_STORE_HOST", "RASA_STORE_PORT", "RASA_STORE_DB", "RASA_STORE_PASSWORD",
                  "RASA_ACTION_ENDPOINT", "TRIAGE_RASA_TOKEN"}  # fmt: skip
"""What endpoints.yml and engine/server.py read: the only variables (and secrets) a Rasa container gets."""


def image_of(process: str) -> str:
    return ENGINE_IMAGE if process == "rasa" else APP_IMAGE


def procfile_programs() -> dict[str, tuple[str, ...]]:
    """Process name -> the program and its entry point, e.g. ``("python", "-m", "bot")``. The engine venv's
    Python of `make run` (``$ENGINE_PYTHON``) is the engine image's ``python`` in a container."""
    programs = {}
    for line in (PROJECT_ROOT / "Procfile").read_text().splitlines():
        if ":" in line and not line.startswith("#"):
            name, command = line.split(":", 1)
            words = shlex.split(command.strip().removeprefix("exec "))
            words[0] = "python" if words[0].startswith("${ENGINE_PYTHON") else words[0]
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
        if service.get("image") not in IMAGES:
            continue
        process = process_of(service["command"])
        assert service["image"] == image_of(process), f"{name} runs {process} from the wrong image"
        replicas[process] = replicas.get(process, 0) + 1
        unknown = {k for k in service["environment"] if k.startswith("TRIAGE_")} - KNOWN_SETTINGS
        assert not unknown, f"{name}: the product refuses to start with {unknown}"
    assert all(replicas.get(p, 0) >= 2 for p in SCALED), replicas
    assert replicas.get("simulator") == 1 and replicas.get("learning") == 1
    redis_command = services["redis"]["command"]
    assert "appendonly yes" in (" ".join(redis_command) if isinstance(redis_command, list) else redis_command)

    nginx = (DEPLOY / "nginx.conf").read_text()
    upstreams = set(re.findall(r"server ([a-z0-9-]+):\d+;", nginx))
    behind_nothing = {"simulator", "learning", "notifier", "smsgateway"}  # no customer or agent traffic
    assert upstreams == {n for n, s in services.items() if s.get("image") in IMAGES} - behind_nothing
    assert "ip_hash" in nginx  # socket.io long-polling sessions live in one gateway process
    assert "/app/models/current.tar.gz" in (DEPLOY / "engine.Dockerfile").read_text()

    for name, service in services.items():
        if service.get("image") == ENGINE_IMAGE:
            assert set(service["environment"]) == RASA_VARIABLES, f"{name} gets settings and secrets it never reads"
            assert "volumes" not in service, f"{name}: Rasa keeps nothing on disk"


def base_image(dockerfile: str) -> str:
    return re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)[-1]


def test_each_image_runs_its_venv_on_its_python_as_an_unprivileged_user() -> None:
    engine = (DEPLOY / "engine.Dockerfile").read_text()
    app = (DEPLOY / "app.Dockerfile").read_text()
    assert base_image(engine) == "python:3.10-slim" and "-c requirements-engine.lock" in engine
    assert base_image(app) == "python:3.12-slim" and "-c requirements-app.lock" in app
    assert "--require-hashes --no-deps -r requirements-model.txt" in app
    for dockerfile in (engine, app):
        assert re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)[-1] != "root"
    user = re.findall(r"^USER (\S+)", app, re.MULTILINE)[-1]
    assert re.search(rf"chown -R {user}(:\S+)? /app/var\b", app), "the app's runtime data could not be written"


def test_the_app_image_installs_neither_rasa_nor_tensorflow() -> None:
    app = (DEPLOY / "app.Dockerfile").read_text()
    installs = " ".join(re.findall(r"pip install ([^&\n\\]+)", app))
    assert "rasa[" not in installs and "tensorflow" not in installs and "engine" not in installs, installs
    locked = {line.split("==")[0].lower() for line in (PROJECT_ROOT / "requirements-app.lock").read_text().splitlines()}
    assert not {"rasa", "tensorflow", "tensorflow-cpu", "tensorflow-intel"} & locked
    # The build itself fails if anything pulled Rasa or TensorFlow in.
    assert re.search(r"pip show rasa tensorflow[^\n]*\n?[^\n]*exit 1", app), "the app image does not check"


def docker_ignored(path: str) -> bool:
    """Whether the root's .dockerignore leaves ``path`` (relative to the root) out of the build context.

    Docker's rules, as far as this file uses them: patterns match from the root, ``**/`` matches any folders,
    a trailing ``/`` is dropped, a folder left out leaves out everything under it, and ``!`` re-includes.
    """
    ignored = False
    for line in (PROJECT_ROOT / ".dockerignore").read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        include = pattern.startswith("!")
        pattern = pattern.removeprefix("!").rstrip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        options = [pattern, pattern.removeprefix("**/")] if pattern.startswith("**/") else [pattern]
        hit = any(fnmatch.fnmatchcase(prefix, option) for prefix in prefixes for option in options)
        if pattern.startswith("**/"):
            hit = hit or any(fnmatch.fnmatchcase(part, pattern.removeprefix("**/")) for part in parts)
        if hit:
            ignored = not include
    return ignored


@pytest.mark.parametrize(
    "path",
    [".venv/bin/python", ".venv-engine/bin/python", "models/current.tar.gz", ".cache/spacy/en_triage_md/meta.json",
     "var/redis/appendonly.aof", ".rasa/cache/x", "results/x.json", "bench/reports/report.md", ".git/HEAD",
     ".pytest_cache/v",
     ".mypy_cache/x", ".ruff_cache/x", ".hypothesis/x", "bot/__pycache__/app.cpython-310.pyc", "deploy/.env",
     "telecom_triage_bot.egg-info/PKG-INFO", "engine/telecom_triage_engine.egg-info/PKG-INFO"],
)  # fmt: skip
def test_the_build_context_leaves_out_what_the_image_builds_itself(path: str) -> None:
    assert docker_ignored(path), f"COPY . . would put the host's {path} into the image"


@pytest.mark.parametrize(
    "path",
    ["pyproject.toml", "requirements-app.lock", "requirements-engine.lock", "requirements-model.txt", "README.md",
     "Procfile", "bot/app.py", "actions/__init__.py", "engine/pyproject.toml", "engine/server.py",
     "simulator/__main__.py", "data/nlu", "config.yml", "domain.yml", "endpoints.yml", "credentials.yml",
     "scripts/build_spacy_model.py", "specs/tmf", "deploy/.env.example"],
)  # fmt: skip
def test_the_build_context_keeps_what_the_image_needs(path: str) -> None:
    assert not docker_ignored(path), f"the image build needs {path}"


def k8s_manifests(folder: Path = DEPLOY / "k8s") -> list[dict[str, Any]]:
    """The documents a kustomization lists (resources that are folders: their own kustomization's)."""
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    docs: list[dict[str, Any]] = []
    for resource in kustomization["resources"]:
        path = (folder / resource).resolve()
        docs.extend(k8s_manifests(path) if path.is_dir() else documents(path))
    return docs


def test_kubernetes_manifests_run_procfile_processes_on_redis_sentinel() -> None:
    manifests = k8s_manifests()
    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for doc in manifests:
        assert {"apiVersion", "kind", "metadata"} <= doc.keys(), doc
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc

    settings = by_kind["ConfigMap"]["triage-settings"]["data"]
    assert "Secret" not in by_kind, "kubectl apply -k must not create secrets of placeholder values"
    (example,) = documents(DEPLOY / "k8s" / "secret.example.yaml")
    secret_keys = example["stringData"].keys()
    unknown = {k for k in [*settings, *secret_keys] if k.startswith("TRIAGE_")} - KNOWN_SETTINGS
    assert not unknown, f"the product refuses to start with {unknown}"

    workloads = {**by_kind["Deployment"], **by_kind["StatefulSet"]}
    for name, workload in workloads.items():
        for container in workload["spec"]["template"]["spec"]["containers"]:
            if container["image"] not in IMAGES:
                continue
            assert process_of(container["command"]) == name
            assert container["image"] == image_of(name), f"{name} runs from the wrong image"
            if name in SCALED:
                assert workload["spec"]["replicas"] >= 2, name
                assert name in by_kind["Service"], f"{name} has no Service to balance over its replicas"
    assert {"rasa", "actions", "gateway", "learning"} <= workloads.keys()
    assert "simulator" not in workloads, "production points at the operator's TMF APIs, not at the simulator"
    assert "simulator" not in settings["TRIAGE_OSS_BASE_URL"]

    rasa = by_kind["Deployment"]["rasa"]["spec"]
    (container,) = rasa["template"]["spec"]["containers"]
    assert {item["name"] for item in container["env"]} == RASA_VARIABLES and "envFrom" not in container
    assert "volumeMounts" not in container, "Rasa keeps nothing on disk"
    assert rasa["template"]["spec"]["securityContext"]["runAsUser"] == 65534, "nobody, the image's user"
    hpa = {doc["metadata"]["name"]: doc for doc in manifests if doc["kind"] == "HorizontalPodAutoscaler"}
    for name, autoscaler in hpa.items():
        target = autoscaler["spec"]["scaleTargetRef"]
        assert target["name"] in by_kind[target["kind"]], f"{name} scales nothing"

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


def test_the_kubernetes_demo_adds_the_simulator_asked_for_explicitly_with_its_own_admin_token() -> None:
    demo = DEPLOY / "k8s" / "demo"
    workloads = {doc["metadata"]["name"]: doc for doc in k8s_manifests(demo) if doc["kind"] == "Deployment"}
    (container,) = workloads["simulator"]["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item.get("value") for item in container["env"]}
    assert env["TRIAGE_SIMULATOR_IN_PRODUCTION"] == "true"
    assert {"secretRef": {"name": "triage-secrets"}} in container["envFrom"]
    (example,) = documents(DEPLOY / "k8s" / "secret.example.yaml")
    assert "TRIAGE_SIMULATOR_ADMIN_TOKEN" in example["stringData"]
    patch = yaml.safe_load((demo / "kustomization.yaml").read_text())["patches"][0]["patch"]
    assert "http://simulator:8080/tmf-api" in patch


def test_network_policies_close_every_path_the_product_does_not_use() -> None:
    policies = {doc["metadata"]["name"]: doc["spec"] for doc in k8s_manifests() if doc["kind"] == "NetworkPolicy"}
    deny = policies.pop("default-deny-ingress")
    assert deny["podSelector"] == {} and deny["policyTypes"] == ["Ingress"] and "ingress" not in deny

    def callers(app: str) -> set[str]:
        found: set[str] = set()
        for spec in policies.values():
            if spec["podSelector"] == {"matchLabels": {"app": app}}:
                for rule in spec["ingress"]:
                    found |= {peer["podSelector"]["matchLabels"]["app"] for peer in rule.get("from", [])}
                    if "from" not in rule:
                        found.add("anyone")
        return found

    assert callers("gateway") == {"anyone"}  # customers and staff through the ingress controller
    assert callers("rasa") == {"gateway"}
    assert callers("actions") == {"rasa"}
    assert callers("redis-haproxy") == {"gateway", "rasa", "actions", "learning", "notifier"}
    assert callers("redis") == {"redis-haproxy", "redis"}
    assert callers("learning") == set(), "the learning consumer takes no connections"
