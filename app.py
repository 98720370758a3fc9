"""The Chalice application: middleware and blueprints, nothing else."""
from chalice import Chalice

from chalicelib.api.auth import auth_routes
from chalicelib.api.campaigns import campaign_routes
from chalicelib.api.health import health_routes
from chalicelib.observability import observe

app = Chalice(app_name="contest")
app.register_middleware(observe, "all")
app.register_blueprint(health_routes)
app.register_blueprint(auth_routes)
app.register_blueprint(campaign_routes)
