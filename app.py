"""The Chalice application: middleware and blueprints, nothing else."""
from chalice import Chalice

from chalicelib.api.audit import audit_routes
from chalicelib.api.auth import auth_routes
from chalicelib.api.campaigns import campaign_routes
from chalicelib.api.console import console_api_routes
from chalicelib.api.console_page import console_routes
from chalicelib.api.engagement import engagement_routes
from chalicelib.api.health import health_routes
from chalicelib.api.jury import jury_routes
from chalicelib.api.notifications import notification_routes
from chalicelib.api.organisation import organisation_routes
from chalicelib.api.privacy import privacy_routes
from chalicelib.api.public_pages import public_page_routes
from chalicelib.api.refusals import project_shaped_refusals
from chalicelib.api.reports import report_routes
from chalicelib.api.results import results_routes
from chalicelib.api.review import review_routes
from chalicelib.api.submissions import submission_routes
from chalicelib.api.units import unit_routes
from chalicelib.api.upload_page import upload_page_routes
from chalicelib.observability import observe
from chalicelib.triggers.engagement import engagement_triggers
from chalicelib.triggers.intake import intake_triggers
from chalicelib.triggers.notifications import notification_triggers
from chalicelib.triggers.privacy import privacy_triggers
from chalicelib.triggers.weeks import weekly_triggers

app = Chalice(app_name="contest")
app.register_middleware(observe, "http")
app.register_middleware(project_shaped_refusals, "http")
app.register_blueprint(health_routes)
app.register_blueprint(auth_routes)
app.register_blueprint(campaign_routes)
app.register_blueprint(submission_routes)
app.register_blueprint(unit_routes)
app.register_blueprint(audit_routes)
app.register_blueprint(upload_page_routes)
app.register_blueprint(console_routes)
app.register_blueprint(review_routes)
app.register_blueprint(results_routes)
app.register_blueprint(jury_routes)
app.register_blueprint(engagement_routes)
app.register_blueprint(organisation_routes)
app.register_blueprint(report_routes)
app.register_blueprint(privacy_routes)
app.register_blueprint(console_api_routes)
app.register_blueprint(public_page_routes)
app.register_blueprint(notification_routes)
app.register_blueprint(intake_triggers)
app.register_blueprint(weekly_triggers)
app.register_blueprint(engagement_triggers)
app.register_blueprint(privacy_triggers)
app.register_blueprint(notification_triggers)
