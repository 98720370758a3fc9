"""Setting up a stage: a campaign from a file, the organisation tree, accounts, platform credentials.

Each command goes through the same services the API uses (validation, audit log), acting as an
operator with the admin role. Against `make run` the local cloud's environment is read from
`.local/cloud.json`; `--stage NAME` reaches a deployed stage instead: the resource names come from
`.chalice/config.json` and the stack `contest-NAME`'s outputs, the AWS credentials from the usual
boto3 chain (AWS_PROFILE, environment, SSO).
"""
from __future__ import annotations

import getpass
import json
import secrets
import string
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

CHALICE_CONFIG = Path(__file__).resolve().parents[1] / ".chalice" / "config.json"
ROLES = ("admin", "organiser", "jury")
TIKTOK_KEYS = ("client_key", "client_secret", "access_token", "refresh_token", "access_expires_at",
               "refresh_expires_at")
# The stack's outputs (infra/resources.yaml) -> the settings they fill.
STACK_OUTPUTS = {"UploadBucketName": "UPLOAD_BUCKET", "UserPoolId": "USER_POOL_ID",
                 "UserPoolClientId": "USER_POOL_CLIENT_ID"}


class StageError(Exception):
    """A problem the operator can fix, said in one line."""


def stage_environment(stage: str, cloudformation: Any, region: str) -> dict[str, str]:
    """The settings a deployed stage's functions run with, rebuilt from the same two sources."""
    stages = json.loads(CHALICE_CONFIG.read_text(encoding="utf-8"))["stages"]
    if stage not in stages or stage == "local":
        raise StageError(f"unknown stage {stage!r}; deployed stages: {', '.join(s for s in stages if s != 'local')}")
    stack = f"contest-{stage}"
    try:
        [found] = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except Exception as error:  # botocore's errors for a missing stack or credentials, said plainly
        raise StageError(f"cannot read the stack {stack} in {region}: {error}") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])}
    missing = sorted(set(STACK_OUTPUTS) - set(outputs))
    if missing:
        raise StageError(f"the stack {stack} has no output {', '.join(missing)}; deploy it again (make deploy)")
    return {
        **stages[stage]["environment_variables"],
        **{setting: outputs[key] for key, setting in STACK_OUTPUTS.items()},
        "AWS_REGION": region,
    }


def operator() -> Any:
    from chalicelib.domain.scope import Principal

    name = f"operator:{getpass.getuser()}"
    return Principal(user_id=name, role="admin", username=name)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StageError(f"no such file: {path}") from None
    except json.JSONDecodeError as error:
        raise StageError(f"{path}: not valid JSON: {error.msg} at line {error.lineno}") from None


def create_campaign(path: Path, open_it: bool = False, now: datetime | None = None) -> dict:
    """A campaign file (as samples/campaigns/*.json) stored as a draft, opened if asked."""
    from chalicelib.bootstrap import services

    body = _read_json(path)
    if not isinstance(body, dict):
        raise StageError(f"{path}: a campaign file is one JSON object")
    now = now or datetime.now(timezone.utc)
    campaign = services().campaigns.create(operator(), body, now)
    if open_it:
        campaign = services().campaigns.transition(operator(), campaign.id, "open", campaign.version, now)
    return {"campaign_id": campaign.id, "status": campaign.status, "version": campaign.version}


def import_organisation(path: Path, dry_run: bool = False) -> dict:
    """The organisation tree from a CSV (unit_id,name,parent_id,level) or JSON file, as PUT /organisation."""
    from chalicelib.bootstrap import services
    from chalicelib.services.organisation import parse_tree

    if not path.is_file():
        raise StageError(f"no such file: {path}")
    content_type = "application/json" if path.suffix.lower() == ".json" else "text/csv"
    tree = parse_tree(path.read_bytes(), content_type)
    return services().organisation.import_tree(operator(), tree, datetime.now(timezone.utc), dry_run=dry_run)


def temporary_password(length: int = 16) -> str:
    """Meets the pool's policy (12+ characters, upper and lower case, digits) and is changed at first sign-in."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if any(c.islower() for c in candidate) and any(c.isupper() for c in candidate) and any(
                c.isdigit() for c in candidate):
            return candidate


def create_account(username: str, role: str, unit_id: str | None, email: str | None = None,
                   password: str | None = None) -> dict:
    """An admin, organiser or judge account with a temporary password, its group and its unit."""
    from chalicelib.bootstrap import services

    if role not in ROLES:
        raise StageError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if role == "organiser" and not unit_id:
        raise StageError("an organiser belongs to a unit: give --unit UNIT_ID")
    if unit_id and services().org_unit_store.find(unit_id) is None:
        raise StageError(f"no unit {unit_id!r} in the organisation tree; import it first (import-organisation)")
    password = password or temporary_password()
    account = services().user_pool.create_account(username, role, unit_id, password, email)
    services().audit_log.record(operator(), "create_account", "account", username, datetime.now(timezone.utc),
                                after={"role": role, "unit_id": unit_id, "email": bool(email)})
    return {**account, "temporary_password": None if email else password,
            "first_sign_in": "POST /auth/token with the temporary password answers a NEW_PASSWORD_REQUIRED "
                             "challenge; POST /auth/new-password {username, session, new_password} sets the "
                             "account's own password (the console does both)"}


def store_tiktok_credentials(path: Path, parameter: str | None = None) -> dict:
    """TikTok's OAuth document (see README "Engagement metrics") as a SecureString."""
    from chalicelib.bootstrap import services

    document = _read_json(path)
    missing = [k for k in TIKTOK_KEYS if not isinstance(document, dict) or k not in document]
    if missing:
        raise StageError(f"{path}: missing {', '.join(missing)}")
    name = parameter or services().settings.tiktok_token_parameter
    services().parameter_store.put_json(name, document)
    return {"parameter": name, "type": "SecureString"}


def store_youtube_key(key: str, parameter: str | None = None) -> dict:
    from chalicelib.bootstrap import services

    if not key.strip():
        raise StageError("the YouTube API key is empty")
    name = parameter or services().settings.youtube_key_parameter
    services().parameter_store.put_text(name, key.strip())
    return {"parameter": name, "type": "SecureString"}
