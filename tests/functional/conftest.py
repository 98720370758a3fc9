import pytest
from chalice.test import Client


@pytest.fixture(scope="session")
def app_module(seeded_cloud):
    import app

    return app


@pytest.fixture
def client(app_module):
    with Client(app_module.app, stage_name="local") as client:
        yield client


@pytest.fixture(scope="session")
def tokens(seeded_cloud):
    """An ID token for every seeded account, obtained the way a script would."""
    from chalicelib.bootstrap import services

    pool = services().user_pool
    return {name: pool.sign_in(a.username, a.password).id_token for name, a in seeded_cloud.accounts.items()}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
