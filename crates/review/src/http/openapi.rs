//! The OpenAPI 3.1 document, generated from the route table the router serves and from the
//! JSON Schemas of the very types the handlers read and write (schemars emits JSON Schema
//! 2020-12, the dialect of OpenAPI 3.1), so it cannot drift from what is served.

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{json, Map, Value};

use super::Route;
use crate::access::Permission;
use crate::views::ErrorBody;

pub(crate) type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// The schema of `T`, a reference into `components/schemas` for named types.
pub(crate) fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// What a successful answer carries.
pub(crate) enum Content {
    Json(SchemaFn),
    /// A document of this media type (the page and its assets).
    Document(&'static str),
    /// A document of one of these media types, as the request asks (a download).
    Documents(&'static [&'static str]),
    /// JSON of this media type (`application/ld+json`) with this schema.
    JsonAs(&'static str, SchemaFn),
}

/// A path or query parameter.
pub(crate) struct Param {
    name: &'static str,
    location: &'static str,
    required: bool,
    description: &'static str,
    schema: SchemaFn,
}

impl Param {
    pub fn path(name: &'static str, description: &'static str, schema: SchemaFn) -> Param {
        Param {
            name,
            location: "path",
            required: true,
            description,
            schema,
        }
    }
    pub fn query(name: &'static str, description: &'static str, schema: SchemaFn) -> Param {
        Param {
            name,
            location: "query",
            required: false,
            description,
            schema,
        }
    }
}

/// The document's account of one operation.
pub(crate) struct OperationDoc {
    pub id: &'static str,
    pub summary: &'static str,
    pub description: &'static str,
    pub tag: &'static str,
    /// What the bearer token must allow; `None` for public routes.
    pub permission: Option<Permission>,
    pub params: Vec<Param>,
    /// The JSON request body, when there is one (always required).
    pub request: Option<SchemaFn>,
    /// Status, description and content of the successful answer.
    pub ok: (u16, &'static str, Content),
    /// The error statuses it may answer, each with an [`ErrorBody`].
    pub errors: &'static [u16],
}

fn error_description(status: u16) -> &'static str {
    match status {
        400 => "Malformed JSON, query string or path (`invalid_json`, `invalid_query`, `invalid_path`).",
        401 => "No bearer token, or an unknown or revoked one (`unauthenticated`).",
        403 => "The token's role may not do this (`forbidden`), or the override's author tries to approve it (`four_eyes`).",
        404 => "No such claim or token holder (`not_found`).",
        409 => "`stale_version`: the review moved on since `expected_version` (its `current_version` is given); or `invalid_state`: not allowed in the review's state. Nothing changed.",
        413 => "The body is over 64 KiB (`body_too_large`).",
        415 => "The body is not sent as application/json (`unsupported_media_type`).",
        422 => "The body or a parameter does not hold valid values (`invalid_body`, `invalid_field` with `field`, `unknown_assignee`, `same_verdict`).",
        500 => "The service failed (`internal`), such as when the signing key cannot be read; the log says why.",
        503 => "The event store cannot be reached (`store_unavailable`).",
        _ => "Error.",
    }
}

/// The OpenAPI document of `routes`.
pub(crate) fn document(routes: &[Route]) -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .into_generator();
    let error_schema = schema::<ErrorBody>(&mut generator);
    let mut paths = Map::new();
    for route in routes {
        let doc = &route.doc;
        let mut operation = Map::new();
        operation.insert("operationId".into(), json!(doc.id));
        operation.insert("summary".into(), json!(doc.summary));
        let mut description = doc.description.to_owned();
        if let Some(permission) = doc.permission {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            description.push_str(&format!("Roles: {}.", permission.roles()));
            operation.insert("security".into(), json!([{ "bearer": [] }]));
        } else {
            operation.insert("security".into(), json!([]));
        }
        if !description.is_empty() {
            operation.insert("description".into(), json!(description));
        }
        operation.insert("tags".into(), json!([doc.tag]));
        if !doc.params.is_empty() {
            let params: Vec<Value> = doc
                .params
                .iter()
                .map(|p| {
                    json!({
                        "name": p.name,
                        "in": p.location,
                        "required": p.required,
                        "description": p.description,
                        "schema": (p.schema)(&mut generator),
                    })
                })
                .collect();
            operation.insert("parameters".into(), json!(params));
        }
        if let Some(request) = doc.request {
            operation.insert(
                "requestBody".into(),
                json!({
                    "required": true,
                    "content": { "application/json": { "schema": request(&mut generator) } }
                }),
            );
        }
        let mut responses = Map::new();
        let (status, description, content) = &doc.ok;
        let content = match content {
            Content::Json(schema) => {
                json!({ "application/json": { "schema": schema(&mut generator) } })
            }
            Content::Document(media_type) => {
                json!({ *media_type: { "schema": { "type": "string" } } })
            }
            Content::Documents(media_types) => Value::Object(
                media_types
                    .iter()
                    .map(|m| ((*m).to_owned(), json!({ "schema": { "type": "string" } })))
                    .collect(),
            ),
            Content::JsonAs(media_type, schema) => {
                json!({ *media_type: { "schema": schema(&mut generator) } })
            }
        };
        responses.insert(
            status.to_string(),
            json!({ "description": description, "content": content }),
        );
        for status in doc.errors {
            let mut response = json!({
                "description": error_description(*status),
                "content": { "application/json": { "schema": error_schema.clone() } }
            });
            if *status == 401 {
                response["headers"] = json!({
                    "WWW-Authenticate": { "schema": { "type": "string" }, "description": "`Bearer realm=\"newsroom-review\"`" }
                });
            }
            responses.insert(status.to_string(), response);
        }
        operation.insert("responses".into(), Value::Object(responses));
        let item = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            item.insert(
                route.method.as_str().to_ascii_lowercase(),
                Value::Object(operation),
            );
        }
    }
    let schemas = generator.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "newsroom review",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The editor review queue of the newsroom fact-check backend: the claims \
                the checker flagged, with their evidence, and the editors' decisions on them. \
                Every decision is an event in the store. Every write names the review's \
                `expected_version`; a stale one is refused with 409 and changes nothing. \
                An override counts only once a second editor with the approver role approves it.",
            "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" }
        },
        "tags": [
            { "name": "review", "description": "The queue and the decisions on claims." },
            { "name": "access", "description": "Bearer tokens and roles." },
            { "name": "audit", "description": "Signed audit exports of the event log and ClaimReview JSON-LD, for auditors." },
            { "name": "service", "description": "The service itself: page, document, health." }
        ],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token issued by `newsroom tokens issue` or `POST /api/tokens`. Roles: auditor (read, audit exports), editor (read, assign, confirm, override, reopen), approver (editor + approve), admin (everything + tokens + audit exports)."
                }
            }
        }
    })
}
