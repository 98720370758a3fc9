"""`./contest validate` reads only the campaign's media rules, and judges as the S3 validator does."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.adapters.local_files import LocalFileRangeReader
from chalicelib.domain.campaign import load_campaign_file
from chalicelib.domain.media.verdict import verdict_for
from contest_cli import __main__ as cli
from tests.fixtures.make_videos import case, ensure_videos

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "campaigns"


@pytest.fixture
def clip(tmp_path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64)
    return path


@pytest.fixture
def campaigns(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "campaigns"
    folder.mkdir()
    monkeypatch.setattr(cli, "SAMPLES", folder)
    return folder


@pytest.mark.parametrize("name", ["khat-vong-hung-cuong", "clip-phan-bac-thong-tin-xau-doc"])
def test_the_verdict_is_the_one_the_whole_campaign_gives(name, capsys):
    video = case("valid-rotated-90.mp4").path(ensure_videos())
    assert cli.main(["validate", str(video), "--campaign", name]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown == verdict_for(LocalFileRangeReader(video), load_campaign_file(SAMPLES / f"{name}.json"))


def test_an_invalid_file_is_judged_and_exits_1(clip, capsys):
    assert cli.main(["validate", str(clip)]) == 1
    assert json.loads(capsys.readouterr().out)["status"] == "invalid"


def test_bad_media_rules_are_refused_naming_the_field(clip, campaigns, capsys):
    data = json.loads((SAMPLES / "khat-vong-hung-cuong.json").read_text(encoding="utf-8"))
    data["media"]["duration"]["min_seconds"] = -5
    (campaigns / "bad.json").write_text(json.dumps(data), encoding="utf-8")
    assert cli.main(["validate", str(clip), "--campaign", "bad"]) == 2
    error = capsys.readouterr().err
    assert "bad.json: invalid campaign configuration: media.duration.min_seconds: " in error


@pytest.mark.parametrize("text, field", [('{"id": "x"}', "media: Field required"), ('{"media": ', "(file): not valid JSON")])
def test_a_campaign_file_without_media_rules_is_refused(text, field, clip, campaigns, capsys):
    (campaigns / "broken.json").write_text(text, encoding="utf-8")
    assert cli.main(["validate", str(clip), "--campaign", "broken"]) == 2
    assert field in capsys.readouterr().err
