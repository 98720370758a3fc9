"""Setting up a stage with ./contest, against the local cloud: a campaign from a file, the
organisation tree, accounts with a temporary password, platform credentials; and how a
deployed stage's names are found."""
from __future__ import annotations

import io
import json
import uuid

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib.local.cloud import LOCAL_REGION
from contest_cli.__main__ import main
from contest_cli.stage import StageError, stage_environment, temporary_password
from tests.functional.test_scope_matrix import _campaign_file


def _run(capsys, *argv: str) -> tuple[int, dict | str]:
    code = main([*argv, "--use-environment"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else err)


def test_a_campaign_file_becomes_a_draft_or_an_open_campaign(seeded_cloud, tmp_path, capsys):
    from chalicelib.bootstrap import services

    draft_file, open_file = tmp_path / "draft.json", tmp_path / "open.json"
    draft_file.write_text(json.dumps(_campaign_file("dk-tw")), encoding="utf-8")
    open_file.write_text(json.dumps(_campaign_file("dk-tw")), encoding="utf-8")

    code, draft = _run(capsys, "create-campaign", str(draft_file))
    opened_code, opened = _run(capsys, "create-campaign", str(open_file), "--open")

    assert code == opened_code == 0
    assert (draft["status"], draft["version"], opened["status"]) == ("draft", 1, "open")
    stored = services().campaign_store.require(opened["campaign_id"])
    assert stored.status == "open" and stored.organiser_unit == "dk-tw"
    [audited, *_] = services().audit_store.for_entity("campaign", draft["campaign_id"])
    assert audited.actor.startswith("operator:")


def test_a_bad_campaign_file_is_refused_naming_its_fields(seeded_cloud, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**_campaign_file("dk-tw"), "platforms": ["myspace"]}), encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")

    code, err = _run(capsys, "create-campaign", str(bad))
    broken_code, broken_err = _run(capsys, "create-campaign", str(broken))

    assert code == 2 and "invalid_fields" in err and "platforms.0" in err
    assert broken_code == 2 and "not valid JSON" in broken_err


def test_the_organisation_tree_is_imported_from_a_file(seeded_cloud, tmp_path, capsys):
    from tests.functional.test_organisation_api import current_csv

    tree = current_csv()
    grown = tree.rstrip("\n") + "\nha-noi-ba-dinh-moi,Chi đoàn Mới,ha-noi-ba-dinh,grassroots\n"
    (tmp_path / "same.csv").write_text(tree, encoding="utf-8")
    (tmp_path / "grown.csv").write_text(grown, encoding="utf-8")

    code, same = _run(capsys, "import-organisation", str(tmp_path / "same.csv"))
    plan_code, plan = _run(capsys, "import-organisation", str(tmp_path / "grown.csv"), "--dry-run")

    assert code == plan_code == 0
    assert (same["added"], same["removed"], same.get("dry_run")) == (0, 0, False)
    assert (plan["added"], plan["dry_run"], plan["units"]) == (1, True, same["units"] + 1)


def test_accounts_get_a_temporary_password_their_group_and_unit(seeded_cloud, capsys):
    from chalicelib.bootstrap import services

    username = f"organiser-{uuid.uuid4().hex[:6]}"
    code, account = _run(capsys, "create-account", username, "--role", "organiser", "--unit", "ha-noi-ba-dinh")

    assert code == 0 and account["role"] == "organiser" and account["unit_id"] == "ha-noi-ba-dinh"
    idp = boto3.client("cognito-idp", region_name=LOCAL_REGION, endpoint_url=seeded_cloud.config.endpoint_url)
    pool = services().settings.user_pool_id
    user = idp.admin_get_user(UserPoolId=pool, Username=username)
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert {"Name": "custom:org_unit", "Value": "ha-noi-ba-dinh"} in user["UserAttributes"]
    groups = idp.admin_list_groups_for_user(UserPoolId=pool, Username=username)["Groups"]
    assert [g["GroupName"] for g in groups] == ["organiser"]


def test_the_first_sign_in_replaces_the_temporary_password(seeded_cloud, capsys, app_client):
    username = f"judge-{uuid.uuid4().hex[:6]}"
    code, account = _run(capsys, "create-account", username, "--role", "jury", "--unit", "ha-noi")
    json_headers = {"Content-Type": "application/json"}

    first = app_client.http.post("/auth/token", headers=json_headers, body=json.dumps(
        {"username": username, "password": account["temporary_password"]}))
    changed = app_client.http.post("/auth/new-password", headers=json_headers, body=json.dumps(
        {"username": username, "session": first.json_body["session"], "new_password": "Judge-Password-2026"}))
    again = app_client.http.post("/auth/token", headers=json_headers,
                                 body=json.dumps({"username": username, "password": "Judge-Password-2026"}))

    assert (code, first.status_code, first.json_body["challenge"]) == (0, 200, "NEW_PASSWORD_REQUIRED")
    assert changed.status_code == 200 and changed.json_body["id_token"]
    me = app_client.http.get("/auth/me", headers={"Authorization": f"Bearer {again.json_body['id_token']}"})
    assert (me.json_body["role"], me.json_body["unit_id"]) == ("jury", "ha-noi")


def test_an_account_for_a_unit_not_in_the_tree_or_twice_is_refused(seeded_cloud, capsys):
    code, err = _run(capsys, "create-account", "ai-do", "--role", "organiser", "--unit", "khong-co")
    assert code == 2 and "import it first" in err
    code, err = _run(capsys, "create-account", "ai-do", "--role", "organiser")
    assert code == 2 and "--unit" in err
    username = f"admin-{uuid.uuid4().hex[:6]}"
    assert _run(capsys, "create-account", username, "--role", "admin")[0] == 0
    code, err = _run(capsys, "create-account", username, "--role", "admin")
    assert code == 2 and "account_exists" in err


def test_platform_credentials_are_stored_as_secure_strings(seeded_cloud, tmp_path, capsys, monkeypatch):
    ssm = boto3.client("ssm", region_name=LOCAL_REGION, endpoint_url=seeded_cloud.config.endpoint_url)
    document = {"client_key": "ck", "client_secret": "cs", "access_token": "act", "refresh_token": "rft",
                "access_expires_at": 0, "refresh_expires_at": 0}
    (tmp_path / "tiktok.json").write_text(json.dumps(document), encoding="utf-8")
    (tmp_path / "partial.json").write_text(json.dumps({"client_key": "ck"}), encoding="utf-8")
    tiktok_name, youtube_name = (f"/contest-local/test-{uuid.uuid4().hex[:6]}/{p}" for p in ("tiktok", "youtube"))

    code, stored = _run(capsys, "store-credentials", "tiktok", str(tmp_path / "tiktok.json"), "--parameter", tiktok_name)
    partial_code, partial = _run(capsys, "store-credentials", "tiktok", str(tmp_path / "partial.json"),
                                 "--parameter", tiktok_name)
    monkeypatch.setattr("sys.stdin", io.StringIO("AIza-test-key\n"))
    youtube_code, _ = _run(capsys, "store-credentials", "youtube", "--parameter", youtube_name)

    assert (code, stored["type"], youtube_code) == (0, "SecureString", 0)
    assert partial_code == 2 and "client_secret" in partial
    parameter = ssm.get_parameter(Name=tiktok_name, WithDecryption=True)["Parameter"]
    assert parameter["Type"] == "SecureString" and json.loads(parameter["Value"]) == document
    assert ssm.get_parameter(Name=youtube_name, WithDecryption=True)["Parameter"]["Value"] == "AIza-test-key"


def test_a_deployed_stage_is_found_from_its_stack_outputs_and_the_stage_config():
    cloudformation = boto3.client("cloudformation", region_name="ap-southeast-1")
    outputs = [{"OutputKey": "UploadBucketName", "OutputValue": "contest-prod-uploads-1-ap"},
               {"OutputKey": "UserPoolId", "OutputValue": "ap-southeast-1_AbC"},
               {"OutputKey": "UserPoolClientId", "OutputValue": "client123"}]
    with Stubber(cloudformation) as stub:
        stub.add_response("describe_stacks", {"Stacks": [{
            "StackName": "contest-prod", "CreationTime": "2026-01-01T00:00:00Z", "StackStatus": "CREATE_COMPLETE",
            "Outputs": outputs}]}, {"StackName": "contest-prod"})
        environment = stage_environment("prod", cloudformation, "ap-southeast-1")
    assert environment["TABLE_PREFIX"] == "contest-prod-" and environment["STAGE"] == "prod"
    assert (environment["USER_POOL_ID"], environment["UPLOAD_BUCKET"]) == ("ap-southeast-1_AbC",
                                                                           "contest-prod-uploads-1-ap")
    with Stubber(cloudformation) as stub:
        stub.add_client_error("describe_stacks", "ValidationError", "Stack with id contest-dev does not exist")
        with pytest.raises(StageError, match="contest-dev"):
            stage_environment("dev", cloudformation, "ap-southeast-1")
    with pytest.raises(StageError, match="unknown stage"):
        stage_environment("local", cloudformation, "ap-southeast-1")


def test_temporary_passwords_meet_the_pools_policy():
    for _ in range(50):
        password = temporary_password()
        assert len(password) >= 12 and any(c.isupper() for c in password)
        assert any(c.islower() for c in password) and any(c.isdigit() for c in password)


@pytest.fixture
def app_client(seeded_cloud):
    from chalice.test import Client

    import app

    with Client(app.app, stage_name="local") as client:
        yield client
