"""The README's curl walk-through, run as written against a live `hub-api demo`, twice on the same demo."""

import re
import subprocess
from pathlib import Path

from tests.live_demo import PASSWORD, live_demo

README = Path(__file__).resolve().parent.parent / "README.md"
# Every example must succeed: curl fails on an HTTP error, and the script on any failing command.
PRELUDE = 'set -eo pipefail\ncurl() { command curl --fail-with-body "$@"; }\n'


def walkthrough(base: str) -> str:
    """The shell blocks of the walk-through sections, pointed at `base` with the demo's password."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## A walk-through with curl") : text.index("## Integrating a partner system")]
    script = PRELUDE + "\n".join(re.findall(r"```sh\n(.*?)```", section, re.S))
    assert "API=http://127.0.0.1:5000/api/v1" in script and "the-password-hub-api-demo-printed" in script
    script = script.replace("http://127.0.0.1:5000", base)
    return script.replace("the-password-hub-api-demo-printed", PASSWORD)


def test_the_walkthrough_works_on_a_fresh_demo_and_again_on_the_same_one(empty_database_url, tmp_path):
    with live_demo(empty_database_url, tmp_path) as (base, _):
        script = walkthrough(base)
        for run in ("first", "second"):
            done = subprocess.run(
                ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
            )
            assert done.returncode == 0, (run, done.stdout[-2000:], done.stderr[-2000:])
            out = done.stdout
            assert "negotiation\nsigned\nactive\n" in out  # the MoU walked draft → active
            assert "WP/2020/UNODC-KZ-MIA" in out  # the expired agreement the text names
            assert '"people_trained":56' in out and '"women_share":0.1071' in out  # the 2020 PVE batches
            assert re.search(r"[}\]]304$", out, re.M)  # the dashboard's poll: -w '%{http_code}' after JSON
    assert (tmp_path / "training.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # a CSV with a BOM
