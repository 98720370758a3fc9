"""The notifications' infrastructure as CloudFormation and IAM will see it (moto checks neither)."""
import json
from pathlib import Path

import yaml

from chalicelib.config import NOTIFICATIONS_MAX_RECEIVE_COUNT

ROOT = Path(__file__).resolve().parents[2]
CONFIG = json.loads((ROOT / ".chalice" / "config.json").read_text())
RESOURCES = yaml.safe_load((ROOT / "infra" / "resources.yaml").read_text())


def _statements(stage):
    return json.loads((ROOT / ".chalice" / f"policy-{stage}.json").read_text())["Statement"]


def test_the_notifications_queue_is_named_per_stage_and_dead_letters_after_its_tries():
    resources = RESOURCES["Resources"]
    queue = resources["NotificationsQueue"]["Properties"]
    assert queue["QueueName"] == {"Fn::Sub": "contest-${Stage}-notifications"}
    assert queue["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": ["NotificationsDeadLetterQueue", "Arn"]},
                                      "maxReceiveCount": NOTIFICATIONS_MAX_RECEIVE_COUNT}
    assert queue["VisibilityTimeout"] >= 6 * CONFIG["lambda_timeout"]
    alarm = resources["NotificationsDeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["NotificationsDeadLetterQueue", "QueueName"]}
    for stage, settings in CONFIG["stages"].items():
        assert settings["environment_variables"]["NOTIFICATIONS_QUEUE_NAME"] == f"contest-{stage}-notifications"


def test_the_functions_may_send_mail_only_from_the_campaigns_identity_through_its_configuration_set():
    for stage in ("dev", "prod"):
        [ses] = [s for s in _statements(stage) if any(a.startswith("ses:") for a in s["Action"])]
        assert ses["Action"] == ["ses:SendRawEmail"]
        assert [r["Fn::Sub"] for r in ses["Resource"]] == [
            "arn:aws:ses:${AWS::Region}:${AWS::AccountId}:identity/${NotificationSenderDomain}",
            f"arn:aws:ses:${{AWS::Region}}:${{AWS::AccountId}}:configuration-set/contest-{stage}-notifications",
        ]


def test_the_sender_identity_and_its_configuration_set_are_parameters_of_the_stack():
    parameters, resources = RESOURCES["Parameters"], RESOURCES["Resources"]
    assert {"PublicBaseUrl", "NotificationSender", "NotificationSenderDomain"} <= set(parameters)
    identity = resources["NotificationSenderIdentity"]
    assert identity["Type"] == "AWS::SES::EmailIdentity"
    assert identity["Properties"]["EmailIdentity"] == {"Ref": "NotificationSenderDomain"}
    configuration = resources["NotificationConfigurationSet"]["Properties"]
    assert configuration["Name"] == {"Fn::Sub": "contest-${Stage}-notifications"}
    assert set(configuration["SuppressionOptions"]["SuppressedReasons"]) == {"BOUNCE", "COMPLAINT"}
    env = RESOURCES["Globals"]["Function"]["Environment"]["Variables"]
    assert env["NOTIFICATION_SENDER"] == {"Ref": "NotificationSender"}
    assert env["PUBLIC_BASE_URL"] == {"Ref": "PublicBaseUrl"}
    assert env["SES_CONFIGURATION_SET"] == {"Ref": "NotificationConfigurationSet"}
