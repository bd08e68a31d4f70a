"""The simulator imports nothing from the product: it stands in for an operator's systems and ships alone.

Two checks, each catching what the other cannot. Every ``import`` statement under ``simulator/`` (also the
ones inside functions, which only run in ``main()``) names the standard library, a third-party package from
``THIRD_PARTY`` or the simulator itself. And a copy of the ``simulator/`` folder alone, with the product's
packages made unimportable, serves: the TMF simulator and the development SMS gateway each start from their
command line and answer.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from simulator.settings import PROJECT_ROOT
from tests.fixtures.ports import free_port, wait_for_port

SIMULATOR = PROJECT_ROOT / "simulator"
THIRD_PARTY = frozenset({"fastapi", "starlette", "pydantic", "pydantic_settings", "httpx", "uvicorn"})
"""What the simulator needs installed beside the standard library."""
PRODUCT = ("core", "engine", "bot", "actions", "learning", "notify", "tools", "tests")
DYNAMIC = frozenset({"__import__", "import_module"})
START_TIMEOUT_S = 60
ADMIN_TOKEN = "Zk3p9QvT2mX8rL5wY1bN"
BOOT = """
import runpy, sys
from importlib.abc import MetaPathFinder

class Product(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {product!r}:
            raise ModuleNotFoundError(f"the simulator imported the product's {{name}}")
        return None

sys.meta_path.insert(0, Product())
sys.path.insert(0, {root!r})
sys.argv[0] = {module!r}
runpy.run_module({module!r}, run_name="__main__", alter_sys=True)
"""


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, top-level package)`` of every import in ``path``; a relative import is the simulator's own."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name.partition(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, "simulator" if node.level else (node.module or "").partition(".")[0]
        elif isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in DYNAMIC:
                yield node.lineno, f"a dynamic import ({called})"


def test_every_simulator_module_imports_only_the_standard_library_third_parties_and_itself() -> None:
    allowed = sys.stdlib_module_names | THIRD_PARTY | {"simulator"}
    modules = sorted(SIMULATOR.rglob("*.py"))
    assert len(modules) > 30
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{line} imports {name}"
        for path in modules
        for line, name in _imports(path)
        if name not in allowed
    ]
    assert not found, "\n".join(found)


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding a copy of ``simulator/`` and nothing else of the checkout."""
    root = tmp_path_factory.mktemp("alone")
    shutil.copytree(SIMULATOR, root / "simulator", ignore=shutil.ignore_patterns("__pycache__"))
    return root


@contextmanager
def serving(alone: Path, module: str, port: int, **variables: str) -> Iterator[None]:
    """``python -m <module>`` from the copy, in isolated mode (no checkout on the path), the product blocked."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRIAGE_")}
    env.update(TRIAGE_GATEWAY_PORT="8000", **variables)  # a product variable `make run` exports: left alone
    code = BOOT.format(product=PRODUCT, root=str(alone), module=module)
    log = alone / f"{module}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-I", "-c", code], cwd=alone, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        try:
            wait_for_port(port, START_TIMEOUT_S)
        except TimeoutError:
            process.kill()
            process.wait(timeout=10)
            pytest.fail(f"{module} did not serve from a copy of simulator/ alone:\n{log.read_text()[-3000:]}")
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_the_tmf_simulator_serves_from_a_copy_of_its_folder_alone(alone: Path) -> None:
    port = free_port()
    variables = {"TRIAGE_SIMULATOR_ADMIN_TOKEN": ADMIN_TOKEN, "TRIAGE_HOST": "127.0.0.1"}
    with serving(alone, "simulator", port, TRIAGE_SIMULATOR_PORT=str(port), **variables):
        url = f"http://127.0.0.1:{port}"
        customer = httpx.get(f"{url}/tmf-api/customerManagement/v4/customer/CUST-000001", timeout=10)
        refused = httpx.get(f"{url}/admin/scenarios", timeout=10)
        allowed = httpx.get(f"{url}/admin/scenarios", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10)
    assert customer.status_code == 200 and customer.json()["id"] == "CUST-000001"
    assert customer.json()["href"].startswith(f"{url}/tmf-api/customerManagement/v4/")
    assert refused.status_code == 401 and allowed.status_code == 200


def test_the_sms_gateway_serves_from_a_copy_of_its_folder_alone(alone: Path) -> None:
    port = free_port()
    var_dir = alone / "var"
    variables = {"TRIAGE_SMS_GATEWAY_TOKEN": "sms-token", "TRIAGE_VAR_DIR": str(var_dir)}
    with serving(alone, "simulator.sms_gateway", port, TRIAGE_SMS_GATEWAY_PORT=str(port), **variables):
        url = f"http://127.0.0.1:{port}/v1/messages"
        text = {"v": 1, "to": "+447700900321", "from": "Triage", "text": "Your broadband is back."}
        refused = httpx.post(url, json=text, timeout=10)
        sent = httpx.post(url, json=text, headers={"Authorization": "Bearer sms-token"}, timeout=10)
    assert refused.status_code == 401
    assert sent.status_code == 202
    kept = (var_dir / "sms" / "outbox.jsonl").read_text(encoding="utf-8")
    assert "Your broadband is back." in kept
