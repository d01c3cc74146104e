//! Page rendering: the minijinja templates and the stylesheet, compiled into the
//! binary so nothing is fetched at run time.

use axum::http::header;
use axum::response::{Html, IntoResponse};
use minijinja::Environment;

use crate::WebError;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("services.html", include_str!("templates/services.html")),
    ("services_gaps.html", include_str!("templates/services_gaps.html")),
    ("services_households.html", include_str!("templates/services_households.html")),
    ("startups.html", include_str!("templates/startups.html")),
    ("startup.html", include_str!("templates/startup.html")),
    ("startup_parks.html", include_str!("templates/startup_parks.html")),
    ("startup_mentors.html", include_str!("templates/startup_mentors.html")),
    ("startup_outside.html", include_str!("templates/startup_outside.html")),
    ("services_difficulty.html", include_str!("templates/services_difficulty.html")),
    ("brands.html", include_str!("templates/brands.html")),
    ("brand.html", include_str!("templates/brand.html")),
    ("workshops.html", include_str!("templates/workshops.html")),
    ("workshop.html", include_str!("templates/workshop.html")),
    ("public_posts.html", include_str!("templates/public_posts.html")),
    ("training.html", include_str!("templates/training.html")),
    ("training_course.html", include_str!("templates/training_course.html")),
    ("training_rates.html", include_str!("templates/training_rates.html")),
    ("training_shortage.html", include_str!("templates/training_shortage.html")),
    ("brokers.html", include_str!("templates/brokers.html")),
    ("broker.html", include_str!("templates/broker.html")),
    ("broker_claims.html", include_str!("templates/broker_claims.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("registry_list.html", include_str!("templates/registry_list.html")),
    ("person.html", include_str!("templates/person.html")),
    ("duplicates.html", include_str!("templates/duplicates.html")),
    ("login.html", include_str!("templates/login.html")),
    ("audit.html", include_str!("templates/audit.html")),
    ("person_form.html", include_str!("templates/person_form.html")),
    ("import.html", include_str!("templates/import.html")),
    ("import_result.html", include_str!("templates/import_result.html")),
    ("message.html", include_str!("templates/message.html")),
    ("policies.html", include_str!("templates/policies.html")),
    ("policy.html", include_str!("templates/policy.html")),
    ("payouts.html", include_str!("templates/payouts.html")),
    ("inbox.html", include_str!("templates/inbox.html")),
    ("what_if.html", include_str!("templates/what_if.html")),
    ("payouts_all.html", include_str!("templates/payouts_all.html")),
    ("job.html", include_str!("templates/job.html")),
    ("jobs_review.html", include_str!("templates/jobs_review.html")),
    ("jobs_mine.html", include_str!("templates/jobs_mine.html")),
    ("job_form.html", include_str!("templates/job_form.html")),
    ("jobs_board.html", include_str!("templates/jobs_board.html")),
    ("stations.html", include_str!("templates/stations.html")),
    ("jobs_quality.html", include_str!("templates/jobs_quality.html")),
    ("station.html", include_str!("templates/station.html")),
    ("fairs.html", include_str!("templates/fairs.html")),
    ("fair.html", include_str!("templates/fair.html")),
    ("wages.html", include_str!("templates/wages.html")),
    ("monitoring.html", include_str!("templates/monitoring.html")),
    ("monitoring_people.html", include_str!("templates/monitoring_people.html")),
    ("monitoring_records.html", include_str!("templates/monitoring_records.html")),
    ("monitoring_risk.html", include_str!("templates/monitoring_risk.html")),
    ("monitoring_risk_warning.html", include_str!("templates/monitoring_risk_warning.html")),
    ("wage_warning.html", include_str!("templates/wage_warning.html")),
    ("wage_project.html", include_str!("templates/wage_project.html")),
    ("wage_complaints.html", include_str!("templates/wage_complaints.html")),
    ("wage_complain.html", include_str!("templates/wage_complain.html")),
    ("wage_blacklist.html", include_str!("templates/wage_blacklist.html")),
    ("wage_projects.html", include_str!("templates/wage_projects.html")),
    ("wage_import_result.html", include_str!("templates/wage_import_result.html")),
];

pub struct Pages {
    env: Environment<'static>,
}

impl Pages {
    pub fn new() -> Result<Pages, WebError> {
        let mut env = Environment::new();
        for (name, src) in TEMPLATES {
            env.add_template(name, src).map_err(|e| WebError::Internal(format!("模板 {name}：{e}")))?;
        }
        Ok(Pages { env })
    }

    pub fn render(&self, name: &str, ctx: minijinja::Value) -> Result<Html<String>, WebError> {
        let t = self.env.get_template(name).map_err(|e| WebError::Internal(e.to_string()))?;
        t.render(ctx).map(Html).map_err(|e| WebError::Internal(format!("模板 {name}：{e}")))
    }
}

/// htmx (vendored from npm by `scripts/web-assets`): filters and paging swap the
/// page's main part without a full reload; every page also works without it.
pub async fn htmx() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")],
        include_str!("assets/vendor/htmx.min.js"),
    )
}

pub async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("assets/app.css"))
}
