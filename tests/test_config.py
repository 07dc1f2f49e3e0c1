"""Settings come from the environment and unsafe production settings refuse to start."""

import pytest

from hub_api.config import ConfigurationError, load_settings, normalise_database_url


@pytest.mark.parametrize("secret", [None, "short", "x" * 31])
def test_production_refuses_a_missing_or_short_secret(tmp_path, secret):
    env = {"HUB_ENV": "production"} | ({"HUB_SECRET_KEY": secret} if secret else {})
    with pytest.raises(ConfigurationError, match="HUB_SECRET_KEY"):
        load_settings(str(tmp_path), env)


def test_production_is_the_default_environment(tmp_path):
    with pytest.raises(ConfigurationError):
        load_settings(str(tmp_path), {})


def test_development_generates_a_secret_when_none_is_set(tmp_path):
    settings = load_settings(str(tmp_path), {"HUB_ENV": "development"})
    assert len(settings["JWT_SECRET_KEY"]) >= 32


def test_defaults_follow_the_contract(tmp_path):
    settings = load_settings(str(tmp_path), {"HUB_ENV": "production", "HUB_SECRET_KEY": "k" * 32})
    assert settings["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds() == 15 * 60
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/hub.sqlite3"


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="HUB_ENV"):
        load_settings(str(tmp_path), {"HUB_ENV": "staging"})


def test_non_numeric_setting_is_refused_with_its_name(tmp_path):
    env = {"HUB_ENV": "development", "HUB_ACCESS_TOKEN_MINUTES": "fifteen"}
    with pytest.raises(ConfigurationError, match="HUB_ACCESS_TOKEN_MINUTES"):
        load_settings(str(tmp_path), env)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/hub", "postgresql+psycopg2://u:p@db:5432/hub"),
        ("postgresql://u@db/hub", "postgresql+psycopg2://u@db/hub"),
        ("postgresql+psycopg2://u@db/hub", "postgresql+psycopg2://u@db/hub"),
        ("sqlite:////var/hub.db", "sqlite:////var/hub.db"),
    ],
)
def test_pasted_postgres_urls_use_psycopg2(given, expected):
    assert normalise_database_url(given) == expected


@pytest.mark.parametrize("name", ["HUB_ACCESS_TOKEN_MINUTES", "HUB_REFRESH_TOKEN_DAYS", "HUB_MAX_BODY_BYTES"])
def test_zero_lifetimes_and_sizes_are_refused(tmp_path, name):
    """flask-jwt-extended would read a zero lifetime as 'never expires'."""
    with pytest.raises(ConfigurationError, match=name):
        load_settings(str(tmp_path), {"HUB_ENV": "development", name: "0"})


def test_the_statistics_cache_defaults_to_64_mb_and_zero_turns_it_off(tmp_path):
    assert load_settings(str(tmp_path), {"HUB_ENV": "development"})["HUB_STATS_CACHE_MB"] == 64
    off = load_settings(str(tmp_path), {"HUB_ENV": "development", "HUB_STATS_CACHE_MB": "0"})
    assert off["HUB_STATS_CACHE_MB"] == 0
    with pytest.raises(ConfigurationError, match="HUB_STATS_CACHE_MB"):
        load_settings(str(tmp_path), {"HUB_ENV": "development", "HUB_STATS_CACHE_MB": "-1"})
