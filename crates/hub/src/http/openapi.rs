//! The OpenAPI document's frame: its title, the credentials it names, the
//! error body every route shares, and the route that serves it. The paths
//! and their schemas come from the handlers' `#[utoipa::path]` attributes,
//! registered with the router in [`super::routes`], so the document cannot
//! name a route the hub does not serve, nor leave one out
//! (tests/openapi.rs checks both against the router itself).

use std::sync::LazyLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::staff::SESSION_COOKIE;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Highland hub",
        description = "The hub's HTTP API: the device protocol (enrollment and sync, described \
                       in docs/sync-protocol.md) and the buyer's staff API (docs/api.md). Every \
                       error is a JSON `ErrorBody`; branch on its `code`."
    ),
    modifiers(&Credentials),
    components(schemas(ApiError)),
    tags(
        (name = "catalog", description = "Listings across villages, and sellers"),
        (name = "orders", description = "Orders placed by the buyer's staff"),
        (name = "rounds", description = "Collection rounds: one truck, many villages, the orders it collects"),
        (name = "trace", description = "Lots' chains, as EPCIS 2.0"),
        (name = "session", description = "Staff logging in and out"),
        (name = "devices", description = "Enrollment and sync, for sellers' devices"),
        (name = "workshop", description = "A workshop hub's class-wide network switch"),
        (name = "meta", description = "Health and this document"),
    )
)]
pub(crate) struct ApiDoc;

/// The credentials routes name in their `security`.
struct Credentials;

impl Modify for Credentials {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "staff_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A staff token (hls_…) from `highland-hub staff add`".to_owned(),
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "A console session, from POST /v1/session or the console's login form",
            ))),
        );
        components.add_security_scheme(
            "device_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A device token, from POST /v1/enroll".to_owned()))
                    .build(),
            ),
        );
    }
}

/// [`highland_domain::wire::ErrorBody`] as the document shows it (the
/// domain crate stays free of OpenAPI); a test checks the two agree.
#[derive(ToSchema)]
#[schema(as = ErrorBody)]
#[allow(dead_code)] // only its schema is used
pub(crate) struct ApiError {
    /// Stable, machine-readable: branch on this.
    code: String,
    /// A sentence for people.
    message: String,
}

static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    crate::app::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serializes")
});

/// This document.
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI document of every route the hub serves",
               content_type = "application/json", body = serde_json::Value))
)]
pub(crate) async fn document() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_str(),
    )
        .into_response()
}
