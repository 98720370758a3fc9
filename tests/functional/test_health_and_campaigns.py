import json

from tests.conftest import load_event


def test_health_reports_every_dependency_reachable(client):
    response = client.http.get("/health")
    assert response.status_code == 200
    body = response.json_body
    assert body["status"] == "ok" and body["stage"] == "local" and body["version"]
    assert set(body["dependencies"]) == {"dynamodb", "s3", "sqs", "cognito"}
    assert all(d["reachable"] for d in body["dependencies"].values())


def test_health_through_the_lambda_entry_point_carries_the_correlation_id(app_module, seeded_cloud):
    response = app_module.app(load_event("api_get_health.json"), None)
    assert response["statusCode"] == 200
    assert response["headers"]["X-Correlation-Id"] == "sample-correlation-id"
    assert json.loads(response["body"])["status"] == "ok"


def test_campaigns_list_every_sample_with_its_rules(client):
    response = client.http.get("/campaigns")
    assert response.status_code == 200
    campaigns = {c["id"]: c for c in response.json_body["campaigns"]}
    assert {"khat-vong-hung-cuong", "clip-phan-bac-thong-tin-xau-doc", "moi-tuan-mot-cau-chuyen-dep"} <= set(campaigns)
    assert campaigns["moi-tuan-mot-cau-chuyen-dep"]["entry_kind"] == "link"
    rules = campaigns["khat-vong-hung-cuong"]["media"]
    assert rules["resolution"] == {"width": 1080, "height": 1920, "match": "exact"}
    assert campaigns["khat-vong-hung-cuong"]["scoring"]["weights"]["reposts"] == 5


def test_an_unknown_campaign_is_a_404_with_a_code_in_vietnamese_by_default(client):
    response = client.http.get("/campaigns/khong-co")
    assert response.status_code == 404
    error = response.json_body["error"]
    assert error["code"] == "campaign_not_found"
    assert error["message"] == error["message_vi"] == "Không tìm thấy cuộc thi."


def test_english_is_one_header_away(client):
    response = client.http.get("/campaigns/khong-co", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert response.json_body["error"]["message"] == "Campaign not found."
