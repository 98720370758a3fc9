"""The OpenAPI document and the access rules cover exactly the routes the app serves."""
from pathlib import Path

import yaml

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def _served(app_module):
    return {
        (path, method.lower()): entry
        for path, methods in app_module.app.routes.items()
        for method, entry in methods.items()
    }


def test_openapi_lists_every_route_and_nothing_else(app_module):
    document = yaml.safe_load(DOC.read_text(encoding="utf-8"))
    documented = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    served = set(_served(app_module))
    assert served - documented == set(), "routes missing from docs/openapi.yaml"
    assert documented - served == set(), "docs/openapi.yaml lists routes the app does not serve"


def test_protected_routes_are_marked_as_such_in_the_document(app_module):
    document = yaml.safe_load(DOC.read_text(encoding="utf-8"))
    for (path, method), entry in _served(app_module).items():
        rule = entry.view_function.access_rule
        documented_security = document["paths"][path][method].get("security")
        assert bool(documented_security) == (not rule.public), f"{method.upper()} {path}"


def test_every_route_declares_who_may_call_it(app_module):
    undeclared = [
        f"{method.upper()} {path}"
        for (path, method), entry in _served(app_module).items()
        if not hasattr(entry.view_function, "access_rule")
    ]
    assert undeclared == []


def test_the_document_is_valid_openapi():
    from openapi_spec_validator import validate

    validate(yaml.safe_load(DOC.read_text(encoding="utf-8")))
