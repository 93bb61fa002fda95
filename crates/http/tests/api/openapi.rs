//! The OpenAPI document: served without a key, identical to the checked-in
//! `docs/openapi.json`, and saying what the contract says.

use actix_web::test::TestRequest;
use serde_json::Value;
use sessions_domain::Limit;
use sessions_storage::testing::TestDb;

use crate::{TestApp, run};

const CHECKED_IN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");

fn document() -> Value {
    serde_json::from_str(&sessions_http::openapi::document()).expect("the document is JSON")
}

#[test]
fn the_checked_in_document_is_the_generated_one() {
    let checked_in = std::fs::read_to_string(CHECKED_IN).unwrap_or_default();
    assert!(
        sessions_http::openapi::document() == checked_in,
        "docs/openapi.json is stale; refresh it with \
         `cargo run -p sessions-api -- openapi > docs/openapi.json`"
    );
}

#[test]
fn the_document_is_served_without_a_key() {
    run(
        |app: TestApp| async move {
            let reply = app
                .call(TestRequest::get().uri("/api/v1/openapi.json"))
                .await;
            assert_eq!(reply.status, 200);
            assert_eq!(reply.body, document());

            let reply = app
                .call(TestRequest::post().uri("/api/v1/openapi.json"))
                .await;
            assert_eq!(reply.status, 405);
            assert_eq!(reply.header("allow"), Some("GET"));
        },
        TestDb::sqlite(),
    );
}

#[test]
fn it_is_openapi_3_1_with_bearer_keys() {
    let doc = document();
    assert!(
        doc["openapi"]
            .as_str()
            .expect("version")
            .starts_with("3.1.")
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let list = &doc["paths"]["/api/v1/sessions"]["get"];
    assert_eq!(list["security"], serde_json::json!([{ "bearer": [] }]));
    let open = &doc["paths"]["/api/v1/openapi.json"]["get"];
    assert_eq!(open["security"], serde_json::json!([{}]));
}

#[test]
fn every_answer_of_list_sessions_is_described() {
    let doc = document();
    let responses = &doc["paths"]["/api/v1/sessions"]["get"]["responses"];
    assert_eq!(
        responses["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/SessionList"
    );
    for status in ["400", "401", "403", "414", "431", "503"] {
        assert_eq!(
            responses[status]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody",
            "{status}"
        );
    }
    assert!(responses["503"]["headers"]["Retry-After"].is_object());
    assert!(responses["401"]["headers"]["WWW-Authenticate"].is_object());
}

#[test]
fn the_parameters_carry_the_domain_limits() {
    let doc = document();
    let parameters = doc["paths"]["/api/v1/sessions"]["get"]["parameters"]
        .as_array()
        .expect("parameters");
    let named = |name: &str| -> &Value {
        parameters
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no parameter {name}"))
    };
    let limit = &named("limit")["schema"];
    assert_eq!(named("limit")["in"], "query");
    assert_eq!(limit["minimum"], 1);
    assert_eq!(limit["maximum"], Limit::MAX.get());
    assert_eq!(limit["default"], Limit::DEFAULT.get());
    assert_eq!(named("before")["in"], "query");
    assert_eq!(named("before")["schema"]["format"], "date-time");
    let organization = named("X-Organization-Id");
    assert_eq!(organization["in"], "header");
    assert_eq!(organization["required"], false);
    assert_eq!(organization["schema"]["format"], "int64");
    assert_eq!(organization["schema"]["minimum"], 1);
}

#[test]
fn the_session_shape_is_the_contract_s() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let list = &schemas["SessionList"];
    assert_eq!(list["required"], serde_json::json!(["sessions"]));
    assert_eq!(list["properties"]["nextCursor"]["type"], "string");

    let session = &schemas["SessionBody"];
    let mut required: Vec<&str> = session["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    required.sort_unstable();
    assert_eq!(
        required,
        [
            "createdAt",
            "device",
            "organizationId",
            "releasedAt",
            "sessionId",
            "userId"
        ]
    );
    let property = |name: &str| &session["properties"][name];
    assert_eq!(property("sessionId")["format"], "uuid");
    assert_eq!(property("userId")["format"], "uuid");
    assert_eq!(property("organizationId")["format"], "int64");
    assert_eq!(property("createdAt")["format"], "date-time");
    assert_eq!(property("releasedAt")["format"], "date-time");
    assert_eq!(
        property("releasedAt")["type"],
        serde_json::json!(["string", "null"])
    );

    let device = &schemas["DeviceBody"]["properties"];
    assert_eq!(
        device["platform"]["enum"],
        serde_json::json!(["ios", "android"])
    );
    assert_eq!(
        device["type"]["enum"],
        serde_json::json!(["real", "simulator", "emulator"])
    );
}
