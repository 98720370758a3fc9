"""TikTok and YouTube clients against a loopback fake that speaks their documented shapes;
OAuth tokens kept in the local cloud's SSM."""
from __future__ import annotations

import json
import random
import time
from datetime import datetime, timezone

import boto3
import pytest

from chalicelib.adapters.engagement_sources import VideoRequest
from chalicelib.adapters.engagement_sources.http import Backoff, JsonHttp
from chalicelib.adapters.engagement_sources.tiktok import TikTokDisplayApi
from chalicelib.adapters.engagement_sources.youtube import YouTubeDataApi
from chalicelib.adapters.ssm import ParameterStore
from chalicelib.domain.errors import DependencyUnavailable
from chalicelib.local.cloud import LOCAL_REGION
from tests.fakes.platforms import FakePlatformServer

NOW = datetime(2024, 8, 14, 3, tzinfo=timezone.utc)
TOKENS = "/contest-local/tiktok/oauth-test"
YT_KEY = "/contest-local/youtube/api-key-test"


@pytest.fixture(scope="module")
def fake():
    with FakePlatformServer() as server:
        yield server


@pytest.fixture
def platforms(fake):
    fake.state.reset()
    return fake.state


@pytest.fixture(scope="module")
def ssm(local_cloud):
    return boto3.client("ssm", region_name=LOCAL_REGION, endpoint_url=local_cloud.config.endpoint_url)


def store_tokens(ssm, access="act.initial", expires_in=86400.0, refresh="rft.initial"):
    ssm.put_parameter(Name=TOKENS, Type="SecureString", Overwrite=True, Value=json.dumps({
        "client_key": "ck", "client_secret": "cs", "access_token": access, "refresh_token": refresh,
        "access_expires_at": time.time() + expires_in, "refresh_expires_at": time.time() + 365 * 86400}))


def stored_tokens(ssm):
    return json.loads(ssm.get_parameter(Name=TOKENS, WithDecryption=True)["Parameter"]["Value"])


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def tiktok(fake, ssm, sleeps=None):
    backoff = Backoff(max_attempts=4, base_seconds=0.5, sleep=sleeps if sleeps is not None else Sleeps(),
                      rng=random.Random(7))
    return TikTokDisplayApi(JsonHttp("TikTok", backoff), ParameterStore(ssm), TOKENS, fake.tiktok_base_url)


def videos(ids):
    return [VideoRequest(i, f"s-{i}", NOW) for i in ids]


def test_tiktok_reads_20_ids_per_call_and_leaves_saves_and_reposts_unmeasured(fake, platforms, ssm):
    # Given 45 entries, of which TikTok knows 44
    store_tokens(ssm)
    ids = [str(7300000000000000000 + i) for i in range(45)]
    for i in ids[:-1]:
        platforms.tiktok_videos[i] = {"like_count": 10, "comment_count": 2, "share_count": 3, "view_count": 99}
    # When the client reads them
    readings = tiktok(fake, ssm).fetch(videos(ids), NOW)
    # Then it asked in batches of 20, 20 and 5
    queries = platforms.calls_to("/v2/video/query/")
    assert [len(c.body["filters"]["video_ids"]) for c in queries] == [20, 20, 5]
    assert queries[0].query["fields"] == ["id,like_count,comment_count,share_count,view_count"]
    assert queries[0].headers["authorization"] == "Bearer act.initial"
    # And every known video has its counters, saves and reposts are None, the unknown one is absent
    assert readings[ids[0]] == {"likes": 10, "comments": 2, "shares": 3, "views": 99, "saves": None, "reposts": None}
    assert ids[-1] not in readings and len(readings) == 44


def test_a_token_about_to_expire_is_refreshed_first_and_written_back_to_ssm(fake, platforms, ssm):
    # Given an access token with one minute left
    store_tokens(ssm, expires_in=60)
    platforms.tiktok_videos["1"] = {"like_count": 1}
    # When the client reads
    readings = tiktok(fake, ssm).fetch(videos(["1"]), NOW)
    # Then it refreshed with the refresh token before querying, and SSM holds the new pair
    token_call, query_call = platforms.calls
    assert token_call.path == "/v2/oauth/token/"
    assert token_call.body == {"client_key": "ck", "client_secret": "cs", "grant_type": "refresh_token",
                               "refresh_token": "rft.initial"}
    new = stored_tokens(ssm)
    assert query_call.headers["authorization"] == f"Bearer {new['access_token']}"
    assert new["refresh_token"] == platforms.refresh_token != "rft.initial"
    assert new["access_expires_at"] > time.time() + 86000
    assert readings["1"]["likes"] == 1


def test_access_token_invalid_refreshes_once_and_retries(fake, platforms, ssm):
    # Given a stored token TikTok no longer accepts although it has not "expired"
    store_tokens(ssm, access="act.revoked")
    platforms.tiktok_videos["1"] = {"like_count": 5}
    # When the client reads
    readings = tiktok(fake, ssm).fetch(videos(["1"]), NOW)
    # Then: rejected query, refresh, successful query; the new token is in SSM
    assert [c.path for c in platforms.calls] == ["/v2/video/query/", "/v2/oauth/token/", "/v2/video/query/"]
    assert stored_tokens(ssm)["access_token"] in platforms.valid_access_tokens
    assert readings["1"]["likes"] == 5


def test_a_token_another_process_already_refreshed_is_used_without_refreshing_again(fake, platforms, ssm):
    store_tokens(ssm)
    client = tiktok(fake, ssm)
    platforms.tiktok_videos["1"] = {"like_count": 5}
    client.fetch(videos(["1"]), NOW)  # caches act.initial
    # Given another process refreshed and stored a new token meanwhile
    platforms.valid_access_tokens = {"act.elsewhere"}
    store_tokens(ssm, access="act.elsewhere", refresh="rft.elsewhere")
    platforms.calls.clear()
    # When this process's cached token is rejected
    client.fetch(videos(["1"]), NOW)
    # Then it takes the stored token instead of spending the refresh token
    assert [c.path for c in platforms.calls] == ["/v2/video/query/", "/v2/video/query/"]
    assert platforms.calls[-1].headers["authorization"] == "Bearer act.elsewhere"


def test_rate_limited_then_success_backs_off_with_jitter(fake, platforms, ssm):
    store_tokens(ssm)
    platforms.tiktok_videos["1"] = {"like_count": 5}
    platforms.tiktok_script.append((429, {"data": {}, "error": {"code": "rate_limit_exceeded",
                                                                "message": "slow down", "log_id": "x"}}, {}))
    sleeps = Sleeps()
    readings = tiktok(fake, ssm, sleeps).fetch(videos(["1"]), NOW)
    assert readings["1"]["likes"] == 5
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 0.5  # first retry: uniform(0, base)


def test_server_errors_are_retried_then_reported_as_a_typed_error(fake, platforms, ssm):
    store_tokens(ssm)
    for _ in range(4):
        platforms.tiktok_script.append((503, {"data": {}, "error": {"code": "internal_error",
                                                                    "message": "try later", "log_id": "x"}}, {}))
    sleeps = Sleeps()
    with pytest.raises(DependencyUnavailable) as failed:
        tiktok(fake, ssm, sleeps).fetch(videos(["1"]), NOW)
    assert failed.value.code == "tiktok_internal_error"
    assert len(platforms.calls_to("/v2/video/query/")) == 4
    assert len(sleeps) == 3 and all(0 <= s <= 0.5 * 2**i for i, s in enumerate(sleeps))


def test_an_expired_refresh_token_is_a_typed_error_not_a_loop(fake, platforms, ssm):
    store_tokens(ssm, access="act.revoked", refresh="rft.revoked")
    with pytest.raises(DependencyUnavailable) as failed:
        tiktok(fake, ssm).fetch(videos(["1"]), NOW)
    assert failed.value.code == "tiktok_token_refresh_failed"


def youtube(fake, ssm, sleeps=None):
    ssm.put_parameter(Name=YT_KEY, Type="SecureString", Overwrite=True, Value="yt-key")
    backoff = Backoff(max_attempts=3, sleep=sleeps if sleeps is not None else Sleeps(), rng=random.Random(1))
    return YouTubeDataApi(JsonHttp("YouTube", backoff), ParameterStore(ssm), YT_KEY, fake.youtube_base_url)


def test_youtube_reads_50_ids_per_call_with_string_counts(fake, platforms, ssm):
    ids = [f"vid{i:08d}" for i in range(120)]
    for i in ids:
        platforms.youtube_videos[i] = {"viewCount": "1000", "likeCount": "40", "commentCount": "3",
                                       "favoriteCount": "0"}
    platforms.youtube_videos[ids[0]] = {"viewCount": "7", "commentCount": "0"}  # likes hidden by the owner
    readings = youtube(fake, ssm).fetch(videos(ids), NOW)
    calls = platforms.calls_to("/youtube/v3/videos")
    assert [len(c.query["id"][0].split(",")) for c in calls] == [50, 50, 20]
    assert calls[0].query["part"] == ["statistics"]
    assert readings[ids[1]] == {"views": 1000, "likes": 40, "comments": 3, "shares": None, "saves": None,
                                "reposts": None}
    assert readings[ids[0]]["likes"] is None


def test_youtube_errors_are_typed_and_5xx_retried(fake, platforms, ssm):
    platforms.youtube_script.append((500, {"error": {"code": 500, "message": "Backend Error",
                                                     "errors": [{"reason": "backendError"}]}}, {}))
    platforms.youtube_videos["a"] = {"viewCount": "1"}
    sleeps = Sleeps()
    assert youtube(fake, ssm, sleeps).fetch(videos(["a"]), NOW)["a"]["views"] == 1
    assert len(sleeps) == 1
    platforms.youtube_key = "rotated"
    with pytest.raises(DependencyUnavailable) as failed:
        youtube(fake, ssm).fetch(videos(["a"]), NOW)
    assert failed.value.code == "youtube_keyInvalid"
    platforms.youtube_key = "yt-key"
