"""bench.lengths on a two-page dataset built from the fixture sites (no ../shared needed)."""

import gzip
import json
from pathlib import Path

from bench.lengths import band, main, measure
from fixtures.server import SITES_DIR

BRIEF = SITES_DIR / "pacificwire.test/stories/4416.html"  # a 57-word brief, an article
HUB = SITES_DIR / "harborherald.test/category/politics/index.html"  # a section page


def dataset(root: Path) -> Path:
    pages = {"brief": (BRIEF, "word " * 57), "hub": (HUB, "")}
    (root / "html").mkdir(parents=True)
    truth = {}
    for name, (page, body) in pages.items():
        (root / "html" / f"{name}.html.gz").write_bytes(gzip.compress(page.read_bytes()))
        truth[name] = {"articleBody": body, "url": f"http://{page.relative_to(SITES_DIR)}"}
    (root / "ground-truth.json").write_text(json.dumps(truth))
    return root


def test_bands_are_by_true_body_words():
    assert [band(n) for n in (0, 1, 39, 40, 99, 100, 5000)] == [
        "0",
        "1-39",
        "1-39",
        "40-99",
        "40-99",
        "100+",
        "100+",
    ]


def test_a_brief_is_emitted_now_and_was_not_under_the_former_limit(tmp_path):
    figures = measure([dataset(tmp_path / "set")], jobs=1)["set"]
    assert figures["40-99"] == {"pages": 1, "emitted": 1, "emitted_former": 0}
    # The section page has no true body: it is not emitted under either limit.
    assert figures["0"] == {"pages": 1, "emitted": 0, "emitted_former": 0}


def test_the_command_prints_the_table_and_writes_json(tmp_path, capsys):
    out = tmp_path / "lengths.json"
    assert main(["--data", str(dataset(tmp_path / "set")), "--jobs", "1", "--json", str(out)]) == 0
    assert "40-99" in capsys.readouterr().out
    assert json.loads(out.read_text())["set"]["40-99"]["emitted"] == 1
