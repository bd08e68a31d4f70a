"""Every dialogue flow predicted as designed: `rasa test core` on tests/test_stories.yml with the trained model."""

from __future__ import annotations

import subprocess
from pathlib import Path

from core.settings import PROJECT_ROOT
from tools.training import model_path, rasa_command, rasa_env


def test_every_story_is_predicted_without_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [*rasa_command(), "test", "core", "--model", str(model_path()), "--stories", "tests/test_stories.yml",
         "--out", str(tmp_path), "--fail-on-prediction-errors"],
        cwd=PROJECT_ROOT, env=rasa_env(), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:] + details
    assert "stories: []" in details or not details.strip() or "# None of the test stories failed" in details
