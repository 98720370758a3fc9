"""DynamoDB adapters against the emulator."""
from chalicelib.adapters.dynamodb.campaigns import CampaignStore
from chalicelib.adapters.dynamodb.organisation import OrgUnitStore


def test_campaigns_round_trip_as_validated_documents(seeded_cloud):
    store = CampaignStore()
    campaign = store.get("khat-vong-hung-cuong")
    assert campaign.media.video_codecs == ["h264"]
    ids = [c.id for c in store.list_all()]
    assert ids == sorted(ids)
    assert {"clip-phan-bac-thong-tin-xau-doc", "khat-vong-hung-cuong", "moi-tuan-mot-cau-chuyen-dep"} <= set(ids)
    assert store.get("missing") is None


def test_a_branch_is_one_query_and_never_includes_a_sibling_with_a_common_prefix(seeded_cloud):
    store = OrgUnitStore()
    ha_noi = store.find("ha-noi")
    branch = {u.unit_id for u in store.branch(ha_noi.path)}
    assert "ha-noi" in branch and "ha-noi-ba-dinh-kim-ma" in branch
    assert not any(u.startswith("hcm") for u in branch)
    ba_dinh = store.find("ha-noi-ba-dinh")
    assert {u.unit_id for u in store.branch(ba_dinh.path)} == {
        "ha-noi-ba-dinh", "ha-noi-ba-dinh-dien-bien", "ha-noi-ba-dinh-kim-ma"}


def test_the_whole_tree_comes_back_with_four_levels(seeded_cloud):
    tree = OrgUnitStore().whole_tree()
    assert set(tree.level_counts()) == {"central", "province", "district", "grassroots"}
