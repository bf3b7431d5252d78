"""The README's example must run as printed."""

import os
import re

from tests.conftest import REPO_ROOT


def test_readme_example_runs(tmp_path, monkeypatch):
    with open(os.path.join(REPO_ROOT, "README.md")) as f:
        blocks = re.findall(r"```python\n(.*?)```", f.read(), flags=re.S)
    assert len(blocks) == 1
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(blocks[0].replace("epochs=20", "epochs=3"), "README.md", "exec"), namespace)
    loss, accuracy = namespace["model"].evaluate(
        namespace["x_test"], namespace["y_test"], verbose=0
    )
    assert accuracy > 0.8
    assert (tmp_path / "mlp.keras").exists()
