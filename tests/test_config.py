"""The settings schema: strict values, no unknown names, and the CLI that refuses them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.config import ConfigError, NewsConfig
from crawler.config.schema import options
from crawler.operations.exitcodes import ExitCode
from fixtures.harness import PROJECT_ROOT

SCRAPY = [sys.executable, "-m", "scrapy"]


def test_defaults_are_valid_and_typed():
    config = NewsConfig.from_settings({})
    assert config.batch_size == 100 and config.state_store == "sqlite"
    assert config.run_dir is None and config.extract_workers is None
    assert config.drop_flags == ("not_article", "too_short", "consent_wall", "too_deep")


@pytest.mark.parametrize(
    ("settings", "value"),
    [
        ({"NEWS_BATCH_SIZE": "3"}, 3),
        ({"NEWS_NEAR_DUP": "0"}, False),
        ({"NEWS_NEAR_DUP": "True"}, True),
        ({"NEWS_NEAR_DUP_THRESHOLD": "0.9"}, 0.9),
        ({"NEWS_DROP_FLAGS": "not_article, paywall"}, ("not_article", "paywall")),
        ({"NEWS_DROP_FLAGS": ""}, ()),
        ({"NEWS_EXTRACT_WORKERS": ""}, None),
        ({"NEWS_RUN_DIR": "out/run"}, Path("out/run")),
    ],
)
def test_text_values_from_the_command_line_mean_what_typed_ones_do(settings, value):
    config = NewsConfig.from_settings(settings)
    ((name, _),) = settings.items()
    field = next(f for f, spec in options(NewsConfig) if spec.name == name)
    assert getattr(config, field.name) == value


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"NEWS_STATE_STORE": "sqllite"},
            "expected one of 'sqlite', 'memory', 'redis' (did you mean 'sqlite'?)",
        ),
        (
            {"NEWS_NEAR_DUP_THRESHOLD": "7"},
            "NEWS_NEAR_DUP_THRESHOLD='7': expected a number from 0.5 to 1",
        ),
        ({"NEWS_DUPLICATES": "dorp"}, "did you mean 'drop'?"),
        ({"NEWS_TEXT_FILES": "nope"}, "expected True or False"),
        ({"NEWS_BATCH_SIZE": "0"}, "from 1 to 100000"),
        ({"NEWS_BATCH_SIZE": True}, "NEWS_BATCH_SIZE=True"),
        ({"NEWS_DROP_FLAGS": "not_articel"}, "did you mean 'not_article'?"),
        ({"NEWS_EXTRACT_TIMEOUT": "inf"}, "a number above 0"),
        ({"NEWS_BATCH_SIZ": "3"}, "unknown setting NEWS_BATCH_SIZ; did you mean NEWS_BATCH_SIZE?"),
        ({"NEWS_WHATEVER": "1"}, "unknown setting NEWS_WHATEVER"),
    ],
)
def test_bad_values_and_unknown_names_are_refused_with_what_is_allowed(settings, message):
    with pytest.raises(ConfigError) as raised:
        NewsConfig.from_settings(settings)
    assert message in str(raised.value)


def test_every_option_is_documented_once():
    names = [spec.name for _, spec in options(NewsConfig)]
    assert len(names) == len(set(names))
    assert all(spec.doc and spec.allowed for _, spec in options(NewsConfig))


def test_no_default_lives_in_the_scrapy_settings_module():
    import crawler.settings

    assert not [name for name in vars(crawler.settings) if name.startswith("NEWS_")]


# --- through the command line ----------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize(
    "setting",
    [
        "NEWS_STATE_STORE=sqllite",
        "NEWS_NEAR_DUP_THRESHOLD=7",
        "NEWS_DUPLICATES=dorp",
        "NEWS_BATCH_SIZ=3",
    ],
)
def test_scrapy_crawl_refuses_a_bad_setting_before_anything(tmp_path, setting):
    result = subprocess.run(
        [
            *SCRAPY,
            *("crawl", "news", "-s", setting),
            *("-s", f"NEWS_OUTPUT_DIR={tmp_path / 'output'}"),
            *("-s", f"NEWS_STATE_DIR={tmp_path / 'state'}"),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == ExitCode.BAD_CONFIG
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and setting.split("=")[0] in lines[0]
    assert list(tmp_path.iterdir()) == [], "nothing written, no state touched"


@pytest.mark.e2e
def test_a_bad_registry_is_one_line(tmp_path):
    registry = tmp_path / "sites.toml"
    registry.write_text(
        '[sites.demo]\ndomains = ["demo.test"]\nfeeds = ["http://demo.test/rss"]\n'
        "follow_depth = 9\n"
    )
    result = subprocess.run(
        [*SCRAPY, "crawl", "news", "-s", f"NEWS_REGISTRY={registry}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == ExitCode.BAD_CONFIG
    assert result.stderr.count("\n") == 1 and "'follow_depth'" in result.stderr


@pytest.mark.e2e
def test_newscrawler_cron_reports_a_bad_setting_the_same_way(tmp_path):
    result = subprocess.run(
        [
            *(sys.executable, "-m", "crawler.operations.cron"),
            *("--output-dir", str(tmp_path / "output"), "--state-dir", str(tmp_path / "state")),
            *("--", "-s", "NEWS_STATE_STORE=sqllite"),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == ExitCode.BAD_CONFIG
    assert "error: setting NEWS_STATE_STORE='sqllite'" in result.stderr
    assert not list((tmp_path / "output").iterdir())


def test_the_word_limits_match_the_cleaning_librarys_own_defaults():
    # The library keeps defaults of its own for use without the crawler (a notebook): the
    # crawl's settings must not drift from them unnoticed.
    from pipelines.cleaning.flags import DEFAULT_MIN_WORDS, DEFAULT_SHORT_WORDS

    config = NewsConfig()
    assert (config.min_words, config.short_words) == (DEFAULT_MIN_WORDS, DEFAULT_SHORT_WORDS)


def test_the_crawl_process_never_imports_the_extractors():
    code = (
        "import sys, crawler.addon, pipelines.extraction, pipelines.dedup, pipelines.textfiles;"
        "print(sorted(m for m in ('trafilatura', 'readability') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
