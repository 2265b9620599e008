//! The OpenAPI document tells the truth about errors and bounds.

use crate::support::TestApp;

#[tokio::test]
async fn every_operation_documents_its_error_answers_as_problem_documents() {
    let app = TestApp::empty().await;
    let doc = app.json("/api/openapi.json").await;
    let paths = doc["paths"].as_object().expect("paths");
    let mut checked = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("item") {
            let responses = &operation["responses"];
            let problem = |status: &str| {
                responses[status]["content"]["application/problem+json"]["schema"]["$ref"]
                    == "#/components/schemas/Problem"
            };
            assert!(problem("500") && problem("503"), "{method} {path}");
            if operation["security"]
                .as_array()
                .is_some_and(|s| !s.is_empty())
            {
                assert!(problem("401"), "{method} {path}");
            }
            if method != "get" {
                assert!(problem("403"), "{method} {path}");
            }
            if operation.get("requestBody").is_some() {
                assert!(problem("400"), "{method} {path}");
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked}");
    let list = &paths["/api/v1/groups"]["get"]["parameters"];
    let bound = |name: &str| {
        let p = list
            .as_array()
            .expect("parameters")
            .iter()
            .find(|p| p["name"] == name)
            .expect(name);
        (
            p["schema"]["minimum"].clone(),
            p["schema"]["maximum"].clone(),
        )
    };
    assert_eq!(bound("page"), (1.into(), 500.into()));
    assert_eq!(bound("starts_within"), (1.into(), 10080.into()));
    let registration = &doc["components"]["schemas"]["RegistrationJson"];
    assert_eq!(
        registration["required"],
        serde_json::json!(["handle", "email", "password"])
    );
    assert_eq!(registration["properties"]["password"]["minLength"], 10);
}

#[tokio::test]
async fn a_groups_body_is_described_field_by_field_with_its_rules_and_vocabularies() {
    let app = TestApp::empty().await;
    let doc = app.json("/api/openapi.json").await;
    let create = &doc["paths"]["/api/v1/groups"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"]["$ref"];
    assert_eq!(create, "#/components/schemas/NewGroup");
    let new_group = &doc["components"]["schemas"]["NewGroup"];
    assert!(
        new_group["required"]
            .as_array()
            .expect("required")
            .contains(&"rules".into())
    );
    let fields = &new_group["properties"];
    assert!(
        fields["format"]["enum"]
            .as_array()
            .expect("format enum")
            .contains(&"in_person".into())
    );
    assert!(
        fields["time_zone"]["enum"]
            .as_array()
            .expect("zones")
            .contains(&"Europe/Berlin".into())
    );
    let kinds: Vec<&serde_json::Value> = fields["rules"]["items"]["oneOf"]
        .as_array()
        .expect("rule kinds")
        .iter()
        .map(|kind| &kind["properties"]["kind"])
        .collect();
    assert_eq!(kinds.len(), 4);
    assert_eq!(fields["rules"]["maxItems"], 8);

    let patch = &doc["paths"]["/api/v1/groups/{slug}"]["patch"]["requestBody"]["content"]["application/json"]
        ["schema"]["$ref"];
    assert_eq!(patch, "#/components/schemas/GroupFields");
    assert!(doc["components"]["schemas"]["GroupFields"]["required"].is_null());

    let list = &doc["paths"]["/api/v1/groups"]["get"]["parameters"];
    let param = |name: &str| {
        list.as_array()
            .expect("parameters")
            .iter()
            .find(|p| p["name"] == name)
            .expect(name)["schema"]
            .clone()
    };
    assert!(param("attribute")["items"]["enum"].is_array());
    assert!(param("focus")["items"]["enum"].is_array());
    // A zone by name, or left empty as a form sends it.
    let tz = param("tz");
    assert!(
        tz["anyOf"][0]["enum"]
            .as_array()
            .is_some_and(|zones| zones.iter().any(|z| z == "Australia/Melbourne"))
    );
    assert!(tz["anyOf"][1]["pattern"].is_string());
    let reason = &doc["components"]["schemas"]["ReasonJson"];
    assert_eq!(reason["required"], serde_json::json!(["reason"]));
    let email = doc["components"]["schemas"]["RegistrationJson"]["properties"]["email"]["pattern"]
        .as_str()
        .expect("email pattern");
    assert!(email.contains(r"\x00-\x1f"), "{email}");
}

#[tokio::test]
async fn a_taken_handle_is_a_conflict_and_a_body_that_is_not_an_object_is_unreadable() {
    let app = TestApp::empty().await;
    let mut client = app.browser();
    let body = serde_json::json!({"handle": "Fern", "email": "fern@example.org", "password": "a quiet walk by the river"});
    let first = client.json("POST", "/api/v1/accounts", body.clone()).await;
    assert_eq!(first.status, axum::http::StatusCode::CREATED);
    let again = serde_json::json!({"handle": "fern", "email": "other@example.org", "password": "a quiet walk by the river"});
    let taken = client.json("POST", "/api/v1/accounts", again).await;
    assert_eq!(taken.status, axum::http::StatusCode::CONFLICT);
    let problem = taken.json();
    assert_eq!(problem["code"], "taken");
    assert_eq!(problem["field"], "handle");

    let array = client
        .json("POST", "/api/v1/password-resets", serde_json::json!([]))
        .await;
    assert_eq!(array.status, axum::http::StatusCode::BAD_REQUEST);
    assert_eq!(array.json()["code"], "malformed_body");
}
