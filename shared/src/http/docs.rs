//! The OpenAPI document (generated from the handlers' own attributes) and the API
//! explorer, whose assets are compiled in so it works with no internet access.

use actix_web::{HttpResponse, get, web};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder};
use utoipa::{PartialSchema, ToSchema};

mod errors;
pub use errors::document_errors;

/// The serialized document, built once at start-up.
pub struct OpenApiJson(pub String);

/// The skeleton each service's document starts from: title, bearer security, problem schema.
pub fn base_document(title: &str, description: &str) -> OpenApi {
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title(title)
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(description)),
        )
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme(
                    "bearer",
                    SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
                )
                .schema(Problem::name(), Problem::schema())
                .schema(ProblemField::name(), ProblemField::schema())
                .build(),
        ))
        .security(Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]))
        .build()
}

/// An RFC 9457 problem, as every error of the suite is answered.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Problem {
    /// `urn:continuity:problem:{code}`
    #[schema(rename = "type")]
    type_: String,
    title: String,
    status: u16,
    detail: String,
    /// Stable machine-readable code, e.g. `validation_failed`.
    code: String,
    /// Present on validation failures: one entry per invalid field.
    errors: Option<Vec<ProblemField>>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ProblemField {
    field: String,
    message: String,
}

/// This service's OpenAPI 3.1 document.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json"))
)]
#[get("/openapi.json")]
pub async fn openapi_json(doc: web::Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.0.clone())
}

/// The API explorer (HTML); its page lives at `/docs/`.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 308, description = "Redirect to the explorer page `/docs/`"))
)]
#[get("/docs")]
pub async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("location", "/docs/"))
        .finish()
}

/// The Swagger UI explorer at `/docs/`, reading `/openapi.json`. Its online validator is
/// off: Swagger UI would otherwise send the document to validator.swagger.io whenever the
/// page is opened under a name other than localhost.
pub fn explorer() -> utoipa_swagger_ui::SwaggerUi {
    utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}")
        .config(utoipa_swagger_ui::Config::from("/openapi.json").validator_url("none"))
}
