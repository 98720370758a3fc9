"""Settings: a deployed stage refuses to start with a missing or malformed setting, and names it;
local defaults apply on the local stage only."""
import pytest

from chalicelib.config import LOCAL_DEFAULTS, SettingsError, read_settings

DEPLOYED = {
    "STAGE": "prod",
    "AWS_REGION": "ap-southeast-1",
    "TABLE_PREFIX": "contest-prod-",
    "UPLOAD_BUCKET": "contest-prod-uploads-123456789012-ap-southeast-1",
    "INTAKE_QUEUE_NAME": "contest-prod-intake",
    "METRICS_QUEUE_NAME": "contest-prod-metrics",
    "NOTIFICATIONS_QUEUE_NAME": "contest-prod-notifications",
    "PUBLIC_BASE_URL": "https://khatvonghungcuong.vn",
    "NOTIFICATION_SENDER": "no-reply@khatvonghungcuong.vn",
    "USER_POOL_ID": "ap-southeast-1_AbCdEf123",
    "USER_POOL_CLIENT_ID": "4tq8e1tqr0ar2vvv1o0fq2dpsj",
    "ALLOWED_ORIGINS": "https://khatvonghungcuong.vn",
}
REQUIRED_ON_DEPLOYED = ["AWS_REGION", "TABLE_PREFIX", "UPLOAD_BUCKET", "INTAKE_QUEUE_NAME", "METRICS_QUEUE_NAME",
                        "USER_POOL_ID", "USER_POOL_CLIENT_ID", "NOTIFICATIONS_QUEUE_NAME", "PUBLIC_BASE_URL",
                        "NOTIFICATION_SENDER"]
MALFORMED = {
    "AWS_REGION": "Singapore",
    "TABLE_PREFIX": "contest prod",
    "UPLOAD_BUCKET": "Contest_Uploads",
    "INTAKE_QUEUE_NAME": "contest prod intake",
    "METRICS_QUEUE_NAME": "contest/metrics",
    "NOTIFICATIONS_QUEUE_NAME": "contest notifications",
    "PUBLIC_BASE_URL": "khatvonghungcuong.vn",
    "NOTIFICATION_SENDER": "no-reply",
    "USER_POOL_ID": "not-a-pool",
    "USER_POOL_CLIENT_ID": "client id!",
    "METRICS_MODE": "sometimes",
    "METRICS_INTERVAL_MINUTES": "hourly",
    "AWS_ENDPOINT_URL": "localhost:5000",
    "JWKS_URL": "jwks.json",
    "TIKTOK_API_BASE_URL": "open.tiktokapis.com",
    "YOUTUBE_API_BASE_URL": "ftp://googleapis.com",
    "TIKTOK_TOKEN_PARAMETER": "contest-prod/tiktok/oauth",
    "YOUTUBE_KEY_PARAMETER": "youtube key",
    "ALLOWED_ORIGINS": "https://ok.vn,khatvonghungcuong.vn",
}


def test_a_complete_deployed_environment_reads_without_local_defaults():
    settings = read_settings(DEPLOYED)
    assert settings.stage == "prod"
    assert settings.upload_bucket == DEPLOYED["UPLOAD_BUCKET"]
    assert settings.user_pool_id == DEPLOYED["USER_POOL_ID"]
    assert settings.table_name("campaigns") == "contest-prod-campaigns"
    assert settings.metrics_mode == "live"
    assert settings.tiktok_token_parameter == "/contest-prod/tiktok/oauth"
    assert settings.jwks_url == (
        "https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_AbCdEf123/.well-known/jwks.json")
    assert settings.allowed_origins == ("https://khatvonghungcuong.vn",)


@pytest.mark.parametrize("name", REQUIRED_ON_DEPLOYED)
def test_given_a_deployed_stage_when_a_required_setting_is_missing_then_it_refuses_naming_it(name):
    environ = {k: v for k, v in DEPLOYED.items() if k != name}
    with pytest.raises(SettingsError) as refused:
        read_settings(environ)
    assert set(refused.value.problems) == {name}
    assert name in str(refused.value)


@pytest.mark.parametrize("name", ["USER_POOL_ID", "UPLOAD_BUCKET", "TABLE_PREFIX"])
def test_given_a_deployed_stage_when_a_required_setting_is_empty_then_it_refuses_naming_it(name):
    with pytest.raises(SettingsError) as refused:
        read_settings({**DEPLOYED, name: "  "})
    assert set(refused.value.problems) == {name}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_given_a_deployed_stage_when_a_setting_is_malformed_then_it_refuses_naming_it(name):
    with pytest.raises(SettingsError) as refused:
        read_settings({**DEPLOYED, name: MALFORMED[name]})
    assert set(refused.value.problems) == {name}
    assert name in str(refused.value)


def test_every_problem_is_named_at_once():
    environ = {k: v for k, v in DEPLOYED.items() if k not in ("UPLOAD_BUCKET", "USER_POOL_ID")}
    with pytest.raises(SettingsError) as refused:
        read_settings({**environ, "METRICS_MODE": "sometimes"})
    assert set(refused.value.problems) == {"UPLOAD_BUCKET", "USER_POOL_ID", "METRICS_MODE"}


def test_the_metrics_modes_that_exist_are_accepted_on_any_stage():
    assert read_settings({**DEPLOYED, "METRICS_MODE": "simulated"}).metrics_mode == "simulated"
    assert read_settings({"STAGE": "local", "METRICS_MODE": "live"}).metrics_mode == "live"


@pytest.mark.parametrize("mode", ["off", "simulated", "live"])
@pytest.mark.parametrize("stage", [{"STAGE": "local"}, DEPLOYED])
def test_metrics_mode_accepts_off_simulated_and_live(stage, mode):
    assert read_settings({**stage, "METRICS_MODE": mode}).metrics_mode == mode


@pytest.mark.parametrize("mode", ["OFF", "none", "disabled", "simulate"])
def test_any_other_metrics_mode_is_refused_naming_the_variable(mode):
    with pytest.raises(SettingsError) as refused:
        read_settings({"STAGE": "local", "METRICS_MODE": mode})
    assert set(refused.value.problems) == {"METRICS_MODE"}
    assert "METRICS_MODE" in str(refused.value) and "off" in refused.value.problems["METRICS_MODE"]


def test_the_local_stage_falls_back_to_local_names():
    settings = read_settings({"STAGE": "local"})
    assert settings.region == LOCAL_DEFAULTS["AWS_REGION"]
    assert settings.table_prefix == "contest-local-"
    assert settings.upload_bucket == "contest-local-uploads"
    assert (settings.intake_queue_name, settings.metrics_queue_name) == ("contest-local-intake", "contest-local-metrics")
    assert settings.user_pool_id == ""


def test_no_stage_means_the_local_stage():
    assert read_settings({}).stage == "local"


def test_the_local_stage_still_refuses_a_malformed_setting():
    with pytest.raises(SettingsError) as refused:
        read_settings({"STAGE": "local", "METRICS_INTERVAL_MINUTES": "0"})
    assert set(refused.value.problems) == {"METRICS_INTERVAL_MINUTES"}


def test_the_region_may_come_from_aws_default_region():
    environ = {k: v for k, v in DEPLOYED.items() if k != "AWS_REGION"}
    assert read_settings({**environ, "AWS_DEFAULT_REGION": "ap-southeast-1"}).region == "ap-southeast-1"


def test_import_time_names_refuse_a_missing_queue_on_a_deployed_stage(monkeypatch):
    from chalicelib.config import intake_queue_name, metrics_interval_minutes, metrics_queue_name, table_prefix

    monkeypatch.setenv("STAGE", "prod")
    monkeypatch.delenv("INTAKE_QUEUE_NAME", raising=False)
    monkeypatch.setenv("METRICS_QUEUE_NAME", "contest-prod-metrics")
    monkeypatch.setenv("TABLE_PREFIX", "contest-prod-")
    with pytest.raises(SettingsError, match="INTAKE_QUEUE_NAME"):
        intake_queue_name()
    assert metrics_queue_name() == "contest-prod-metrics"
    assert table_prefix() == "contest-prod-"
    assert metrics_interval_minutes() == 60


def test_every_deployed_stage_of_the_chalice_config_names_what_the_decorators_read():
    import json
    from pathlib import Path

    config = json.loads((Path(__file__).resolve().parents[2] / ".chalice" / "config.json").read_text())
    for name, stage in config["stages"].items():
        if name == "local":
            continue
        names = stage["environment_variables"]
        assert {"STAGE", "TABLE_PREFIX", "INTAKE_QUEUE_NAME", "METRICS_QUEUE_NAME"} <= set(names), name
